import type { ReactNode } from "react";

const KEYWORDS = new Set(
  "async await break case catch class const continue default delete do else export extends false finally for from function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while yield".split(
    " ",
  ),
);

// one alternation, in priority order: comments, strings and template literals, numbers, words
const TOKEN =
  /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_$][\w$]*)/g;

/** JavaScript with its comments, strings, numbers and keywords marked for styles.css. */
export function highlight(code: string): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of code.matchAll(TOKEN)) {
    const [text, comment, string, number, word] = m;
    const start = m.index;
    const kind =
      comment !== undefined
        ? "comment"
        : string !== undefined
          ? "string"
          : number !== undefined
            ? "number"
            : word !== undefined && KEYWORDS.has(word)
              ? "keyword"
              : undefined;
    // other words stay in the plain text around them
    if (kind === undefined) {
      continue;
    }
    if (start > at) {
      out.push(code.slice(at, start));
    }
    out.push(
      <span key={start} className={`tok-${kind}`}>
        {text}
      </span>,
    );
    at = start + text.length;
  }
  if (at < code.length) {
    out.push(code.slice(at));
  }
  return out;
}

export function Code(props: { code: string; label: string }) {
  return (
    <pre aria-label={props.label}>
      <code>{highlight(props.code)}</code>
    </pre>
  );
}
