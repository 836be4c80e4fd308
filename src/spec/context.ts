/**
 * One spec document while it is checked: where its nodes came from, and the errors found in it
 * so far. A document with any error contributes nothing to the desired state.
 */
import { ErrorCode, SpecError, SpecLocation } from '../errors';
import type { SourceRef } from '../model';
import { locate, Positions } from './pointer';

/** A document being checked: positions of its nodes, and its errors so far. */
export class DocContext {
  readonly errors: SpecError[] = [];

  constructor(
    readonly file: string,
    /** Line where the document's content starts. */
    readonly line: number,
    private readonly positions: Positions,
  ) {}

  /** Where the document starts, for DesiredContainer.source and "first declared at". */
  get source(): SourceRef {
    return { file: this.file, line: this.line };
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  /** The location of a node by JSON pointer; an omitted field points at its parent's line. */
  at(pointer: string): SpecLocation {
    return { file: this.file, ...locate(this.positions, pointer, this.line) };
  }

  /** True when the node at `pointer` has been reported already (say, by the schema). */
  hasErrorAt(pointer: string): boolean {
    const path = this.at(pointer).path;
    return this.errors.some((e) => e.location.path === path);
  }

  /** Record an error about the node at `pointer`. */
  fail(pointer: string, detail: string, code: ErrorCode = 'SPEC_SCHEMA'): void {
    this.errors.push(new SpecError(code, this.at(pointer), detail));
  }
}

/** `file:line` of a document or node, for messages that name a second place. */
export function place(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`;
}
