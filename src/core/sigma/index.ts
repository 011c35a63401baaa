export { convertSigmaFile, convertSigmaFiles, shellwatchId } from './convert-sigma';
export type {
  ConvertedSigmaRule,
  SigmaConversionReport,
  SigmaFile,
  SkippedSigmaRule,
} from './convert-sigma';
export type { SkipCode } from './skip';
