/** The mark before the CPU ms that bench/support/report-cpu.ts writes as a child exits. */
export const CPU_MARK = 'load-ab-cpu-ms:';
