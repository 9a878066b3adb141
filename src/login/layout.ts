// The frame every page shares: a small, calm card, readable without any external asset.
import { Html, html } from './html.ts';

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1d2330;--muted:#5f6b7a;--line:#d8dde5;--accent:#3451d1;--accent-text:#fff;--error:#b3261e;--error-bg:#fdecea}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--card:#1d2128;--text:#e8ebf0;--muted:#9aa4b2;--line:#333a45;--accent:#7b93ff;--accent-text:#0d1020;--error:#ffb4ab;--error-bg:#3b1d1b}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:min(400px,92vw);background:var(--card);border:1px solid var(--line);border-radius:12px;padding:32px;box-shadow:0 8px 24px rgb(0 0 0/.06)}
h1{font-size:1.35rem;margin:0 0 4px}p.sub{margin:0 0 24px;color:var(--muted)}
label{display:block;font-size:.9rem;font-weight:600;margin:16px 0 6px}
input{width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:8px;background:transparent;color:inherit;font:inherit}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
button{width:100%;margin-top:24px;padding:11px;border:0;border-radius:8px;background:var(--accent);color:var(--accent-text);font:inherit;font-weight:600;cursor:pointer}
.error{margin:0 0 8px;padding:10px 12px;border-radius:8px;background:var(--error-bg);color:var(--error)}
.alt{margin:20px 0 0;text-align:center;color:var(--muted);font-size:.9rem}a{color:var(--accent)}
.hint{color:var(--muted);font-size:.85rem;margin:6px 0 0}code{font-size:.85em;word-break:break-all}
`;

export function layout(title: string, nonce: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style nonce="${nonce}">${new Html(STYLE)}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}
