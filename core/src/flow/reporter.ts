import type { ErrorCode } from '../errors/codes';
import { defaultFix } from '../errors/codes';
import type { SourceMap, YamlPath } from './source-map';
import type { Diagnostic, Severity } from './types';

export interface ReportOptions {
  component?: string;
  property?: string;
  /** Point at the key rather than its value (for "unknown property" and the like). */
  at?: 'key' | 'value';
  severity?: Severity;
  fix?: string;
}

/** Collects diagnostics, each placed at a path of the flow file. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    private readonly sourceMap: SourceMap | undefined,
  ) {}

  report(code: ErrorCode, message: string, path: YamlPath, options: ReportOptions = {}): void {
    const position = this.sourceMap?.at(path, options.at) ?? { line: 1, col: 1 };
    this.add({
      severity: options.severity ?? 'error',
      code,
      message,
      fix: options.fix ?? defaultFix(code),
      file: this.file,
      line: position.line,
      col: position.col,
      ...(options.component !== undefined ? { component: options.component } : {}),
      ...(options.property !== undefined ? { property: options.property } : {}),
    });
  }

  add(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/** `file:line:col: error FC_CODE component "enc" property "quality": message. Fix: …` */
export function formatDiagnostic(d: Diagnostic): string {
  const subject = [d.component !== undefined ? `component "${d.component}"` : '', d.property !== undefined ? `property "${d.property}"` : '']
    .filter(Boolean)
    .join(' ');
  return `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code}${subject ? ` ${subject}` : ''}: ${d.message}${d.fix ? `. Fix: ${d.fix}` : ''}`;
}
