/**
 * YAML text → a plain tree that remembers, for every node, the line it came from and, for
 * scalars, the text the user wrote. Values are resolved with YAML 1.2's core schema, so `yes`,
 * `off` and `2122:22` are strings; `0755` and `1e3` are numbers whose text is kept beside them,
 * so that string fields can use the literal text later (see coerce.ts).
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import { SpecError } from '../errors';
import { childPath } from './pointer';
import { syntaxPath } from './syntax-path';

export type YNode = YScalar | YMap | YSeq;

export interface YScalar {
  kind: 'scalar';
  /** The value as YAML 1.2 core resolves it: string, number, boolean or null. */
  value: unknown;
  /** The source text of a plain scalar (`0755`), the value itself for a quoted one. */
  text: string;
  line: number;
}

export interface YEntry {
  key: string;
  keyLine: number;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  entries: YEntry[];
  line: number;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  line: number;
}

/** One `---` document of a spec file; `errors` are problems found while building its tree. */
export interface YDoc {
  file: string;
  /** Line where the document's content starts. */
  line: number;
  root: YNode;
  errors: SpecError[];
}

/** A spec file as read: its documents, or the errors that kept it from being read. */
export interface ParsedFile {
  file: string;
  docs: YDoc[];
  errors: SpecError[];
  /** Nothing but comments and whitespace. A file that does not parse is not empty. */
  empty: boolean;
}

// uniqueKeys is off because we report duplicates ourselves, naming the line of both keys.
const YAML_OPTIONS = {
  version: '1.2',
  schema: 'core',
  uniqueKeys: false,
  prettyErrors: true,
} as const;

/** Where YAML merge keys (`<<`) are taken: inside a compose document, never in berth's own. */
export type MergePolicy = (mapPath: string) => boolean;

/** Spec files: merge keys only inside a Stack's inline compose document. */
export const SPEC_MERGE: MergePolicy = (p) => p === 'spec.compose' || p.startsWith('spec.compose.');

/**
 * Parse one spec file's text. A file with a YAML syntax error yields no documents: where the
 * parser lost its way, even the `---` boundaries may be wrong. An empty file is an error: it
 * may be half-written.
 */
export function parseSpecText(file: string, text: string, merge = SPEC_MERGE): ParsedFile {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lines });

  const errors = parsed.flatMap((doc) => syntaxErrors(file, text, doc));
  if (errors.length > 0) return { file, docs: [], errors, empty: false };

  const docs = parsed
    .filter((doc) => !isEmptyDocument(doc))
    .map((doc) => new TreeBuilder(file, lines, doc, merge).build());
  if (docs.length > 0) return { file, docs, errors: [], empty: false };

  const detail = 'file holds no spec document (it may be half-written): finish it or remove it';
  const empty = new SpecError('SPEC_SYNTAX', { file, line: 1, path: '' }, detail);
  return { file, docs, errors: [empty], empty: true };
}

function syntaxErrors(file: string, text: string, doc: Document.Parsed): SpecError[] {
  return [...doc.errors, ...doc.warnings].map((err) => {
    const line = err.linePos?.[0].line ?? 1;
    const detail = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const path = syntaxPath(text, line);
    return new SpecError('SPEC_SYNTAX', { file, line, path }, `invalid YAML: ${detail}`);
  });
}

/** A document with nothing but comments, e.g. after a trailing `---`. */
function isEmptyDocument(doc: Document.Parsed): boolean {
  const root = doc.contents;
  return root === null || (isScalar(root) && root.value === null && !root.source);
}

function scalarText(value: unknown, source: string | undefined): string {
  if (typeof value === 'string') return value;
  return source ?? String(value);
}

class TreeBuilder {
  private readonly errors: SpecError[] = [];

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document.Parsed,
    private readonly merge: MergePolicy,
  ) {}

  build(): YDoc {
    const line = this.lineOf(this.doc.contents, 1);
    const root = this.node(this.doc.contents, '', line, []);
    return { file: this.file, line, root, errors: this.errors };
  }

  private lineOf(node: unknown, fallback: number): number {
    const range = (node as YamlNode | null)?.range;
    return range ? this.lines.linePos(range[0]).line : fallback;
  }

  private fail(line: number, path: string, detail: string): void {
    this.errors.push(new SpecError('SPEC_SYNTAX', { file: this.file, line, path }, detail));
  }

  /** `seen` holds the aliased nodes being expanded, so that an alias cannot contain itself. */
  private node(node: unknown, path: string, fallback: number, seen: unknown[]): YNode {
    const line = this.lineOf(node, fallback);
    if (isAlias(node)) return this.alias(node.source, node.resolve(this.doc), path, line, seen);
    if (isScalar(node)) {
      return { kind: 'scalar', value: node.value, text: scalarText(node.value, node.source), line };
    }
    if (isMap(node)) return this.map(node.items, path, line, seen);
    if (isSeq(node)) {
      const items = node.items.map((item, i) => this.node(item, childPath(path, i), line, seen));
      return { kind: 'seq', items, line };
    }
    return { kind: 'scalar', value: null, text: '', line };
  }

  private alias(name: string, target: unknown, path: string, line: number, seen: unknown[]): YNode {
    if (target === undefined || seen.includes(target)) {
      const detail = target ? 'contains itself' : 'has no anchor &' + name + ' before it';
      this.fail(line, path, `alias *${name} ${detail} in this document`);
      return { kind: 'scalar', value: null, text: '', line };
    }
    return this.node(target, path, line, [...seen, target]);
  }

  private map(pairs: Pair[], path: string, line: number, seen: unknown[]): YMap {
    const entries: YEntry[] = [];
    const merged: YEntry[] = [];
    const firstLine = new Map<string, number>();

    for (const pair of pairs) {
      const keyLine = this.lineOf(pair.key, line);
      if (!isScalar(pair.key)) {
        this.fail(keyLine, path, 'keys must be plain text, not lists or maps');
        continue;
      }
      const key = scalarText(pair.key.value, pair.key.source);
      const keyPath = childPath(path, key);
      if (key === '<<' && pair.key.type === 'PLAIN') {
        if (!this.merge(path)) {
          const detail = 'YAML merge keys (<<) are not supported: write the fields out';
          this.fail(keyLine, keyPath, detail);
        } else merged.push(...this.mergedEntries(pair.value, keyPath, keyLine, seen));
        continue;
      }
      const first = firstLine.get(key);
      if (first !== undefined) {
        const detail = `duplicate key, first at line ${first}`;
        const location = { file: this.file, line: keyLine, path: keyPath };
        this.errors.push(new SpecError('SPEC_DUPLICATE_KEY', location, detail));
        continue;
      }
      firstLine.set(key, keyLine);
      entries.push({ key, keyLine, value: this.node(pair.value, keyPath, keyLine, seen) });
    }
    // Keys written in the map win over merged ones; among merged maps, the first one wins.
    for (const entry of merged) {
      if (firstLine.has(entry.key)) continue;
      firstLine.set(entry.key, entry.keyLine);
      entries.push(entry);
    }
    return { kind: 'map', entries, line };
  }

  /** The entries `<<: *a` or `<<: [*a, *b]` brings in, in the order they take precedence. */
  private mergedEntries(value: unknown, path: string, line: number, seen: unknown[]): YEntry[] {
    const node = this.node(value, path, line, seen);
    const sources = node.kind === 'seq' ? node.items : [node];
    if (sources.some((s) => s.kind !== 'map')) {
      this.fail(line, path, 'a merge key (<<) takes a map or a list of maps, like <<: *defaults');
      return [];
    }
    return sources.flatMap((s) => (s.kind === 'map' ? s.entries : []));
  }
}
