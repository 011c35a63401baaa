/** A command line the CLI cannot act on (bad option, unreadable folder): exit code 2. */
export class CliUsageError extends Error {}
