import { createHash } from 'node:crypto';

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markup that is already safe; only `html` and the view functions make it. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | undefined | false | null | readonly (SafeHtml | string)[];

/** A template tag that escapes every interpolated string; arrays are joined, empty values dropped. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: Interpolation): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v) => render(v)).join('');
  return escapeHtml(String(value));
}

/** The only style of the pages: inline, allowed by its hash in the CSP, no external assets. */
const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--accent:#0550ae;--accent-fg:#fff;--err:#b42318;--err-bg:#fef3f2;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;--line:#3d444d;--accent:#4493f8;--accent-fg:#0d1117;--err:#ff8182;--err-bg:#2d1517;--ok:#3fb950}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:30rem;margin:0 auto;padding:clamp(1rem,6vw,4rem) 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:clamp(1.25rem,5vw,2rem)}
.brand{font-weight:700;color:var(--muted);letter-spacing:.02em;margin:0 0 1rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem;overflow-wrap:anywhere}
p{margin:0 0 1rem}
label,legend{display:block;font-weight:600;margin:0 0 .25rem}
.hint{color:var(--muted);font-size:.9rem;margin:0 0 .5rem}
input[type=tel],input[type=text],textarea{display:block;width:100%;min-height:2.75rem;font:inherit;padding:.6rem .75rem;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:8px}
input[inputmode=numeric]{font-size:1.4rem;letter-spacing:.3em;font-variant-numeric:tabular-nums}
textarea{font:.85rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;min-height:8rem;resize:vertical;word-break:break-all}
[aria-invalid=true]{border-color:var(--err);border-width:2px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
fieldset{border:0;padding:0;margin:1.25rem 0}
.choice{display:grid;grid-template-columns:auto 1fr;align-items:center;column-gap:.6rem;padding:.5rem .75rem;border:1px solid var(--line);border-radius:8px;margin:.4rem 0}
.choice input{width:1.15rem;height:1.15rem;margin:0;accent-color:var(--accent)}
.choice label{margin:0;padding:.25rem 0;cursor:pointer}
.choice .hint{grid-column:2;margin:0}
.field{margin:0 0 1.25rem}
button{display:block;width:100%;min-height:2.75rem;font:inherit;font-weight:600;padding:.6rem 1rem;color:var(--accent-fg);background:var(--accent);border:1px solid var(--accent);border-radius:8px;cursor:pointer}
button.secondary{color:var(--accent);background:transparent;border-color:var(--line);margin-top:.75rem}
.error{color:var(--err);font-weight:600;margin:.4rem 0 0}
.alert{color:var(--fg);background:var(--err-bg);border-left:4px solid var(--err);border-radius:4px;padding:.75rem 1rem;margin:0 0 1rem}
.ok{color:var(--ok)}
.actions{margin-top:1.5rem}
a{color:var(--accent)}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin-top:1.5rem}
`.trim();

const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

/**
 * The Content-Security-Policy of every page: nothing may load or run except
 * the one inline style sheet (by hash); forms post only to this origin, and
 * no one may frame the pages.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${CSS_HASH}'`,
  "img-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export interface LayoutOptions {
  title: string;
  brand: string;
  body: SafeHtml;
}

/** A whole document: language, viewport, the inline CSS, one card. */
export function layout({ title, brand, body }: LayoutOptions): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} – ${brand}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body>
<main>
<div class="card">
<p class="brand">${brand}</p>
${body}
</div>
<footer>Phone number verification by ${brand}</footer>
</main>
</body>
</html>
`.value}`;
}
