import { one, type FormatDecoder } from './context';

/**
 * `lines`: the whole record is one command as typed, nothing else. Used by
 * `shellwatch eval --format lines` and for topics fed by a plain command list.
 * There is no timestamp in the record, so `@timestamp` is the transport (or
 * receipt) time and `labels.timestamp_source` says which.
 */
export const decodeLines: FormatDecoder = (text, ctx) =>
  one({ 'process.command_line': text }, 'lines', ctx);
