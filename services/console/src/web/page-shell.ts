import { importMap } from './static-files.js';

/** The one HTML page: the toolkit's import map, the styles, and the app module; everything else is rendered by it. */
export const pageShell = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>Orderly console</title>
<link rel="stylesheet" href="/vendor/pico.min.css">
<link rel="stylesheet" href="/ui/console.css">
<script type="importmap">${importMap}</script>
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<div id="app"><main class="container"><p>Loading the Orderly console…</p></main></div>
</body>
</html>
`;
