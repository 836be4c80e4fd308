/**
 * A compose command line in string form (`command: nginx -g "daemon off;"`) split into
 * arguments as a POSIX shell would split words: blanks separate, single quotes keep everything,
 * double quotes keep all but `\"` and `\\`, a backslash outside quotes escapes one character.
 * No variables, globs or operators: those would need a shell, and then the command says `sh -c`.
 */

/** The words of `line`, or an error message when a quote is not closed. */
export function shellWords(line: string): string[] | { error: string } {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: `no closing ' in: ${line}` };
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const read = doubleQuoted(line, i + 1);
      if (read === null) return { error: `no closing " in: ${line}` };
      word = (word ?? '') + read.text;
      i = read.end;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

function doubleQuoted(line: string, from: number): { text: string; end: number } | null {
  let text = '';
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '"') return { text, end: i };
    if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) text += line[++i];
    else text += c;
  }
  return null;
}
