import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { convertSigmaFiles } from '../core/sigma';
import type { SigmaConversionReport, SigmaFile } from '../core/sigma';
import { CliUsageError } from './load-rules';
import { errorMessage } from '../core/errors';

export interface SigmaConvertOptions {
  input: string;
  out: string;
  report?: string;
}

/**
 * `shellwatch sigma convert <file|dir> --out DIR [--report FILE]`: every `*.yml` /
 * `*.yaml` under the input becomes `<id>.json` in DIR, or a skip with its reason.
 * A summary goes to stdout (the JSON report to FILE). Exit 0 when every file was
 * read and parsed (some rules may be skipped), 1 when a file is not YAML, 2 on a
 * usage error or an unreadable input.
 */
export async function sigmaConvertCommand(
  options: SigmaConvertOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const files = await readSigmaFiles(options.input);
  if (files.length === 0) throw new CliUsageError(`no *.yml or *.yaml files in ${options.input}`);
  const { rules, report } = convertSigmaFiles(files);
  try {
    await mkdir(options.out, { recursive: true });
    for (const rule of rules) await writeFile(join(options.out, rule.file), rule.text);
    if (options.report !== undefined)
      await writeFile(options.report, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    throw new CliUsageError(`cannot write ${options.out}: ${errorMessage(error)}`);
  }
  out.write(summary(report, options.out));
  return (report.counts.byReason['invalid-yaml'] ?? 0) > 0 ? 1 : 0;
}

/** The human summary: one line per rule, then the counts by reason. */
export function summary(report: SigmaConversionReport, outDir: string): string {
  const lines = [
    ...report.converted.map((r) => `converted ${r.path} -> ${join(outDir, r.file)}`),
    ...report.skipped.map((s) => `skipped   ${s.path} [${s.code}]: ${s.reason}`),
  ];
  const reasons = Object.entries(report.counts.byReason)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  lines.push(
    `sigma: ${report.counts.files} files, ${report.counts.converted} converted, ${report.counts.skipped} skipped${reasons === '' ? '' : ` (${reasons})`}`,
  );
  return `${lines.join('\n')}\n`;
}

async function readSigmaFiles(input: string): Promise<SigmaFile[]> {
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    throw new CliUsageError(`cannot read ${input}: ${errorMessage(error)}`);
  }
  const root = resolve(input);
  const paths = info.isDirectory() ? await yamlFilesUnder(root) : [root];
  const base = info.isDirectory() ? root : resolve(root, '..');
  const files: SigmaFile[] = [];
  for (const path of paths.sort()) {
    try {
      files.push({
        path: relative(base, path).split(sep).join('/'),
        text: await readFile(path, 'utf8'),
      });
    } catch (error) {
      throw new CliUsageError(`cannot read ${path}: ${errorMessage(error)}`);
    }
  }
  return files;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}
