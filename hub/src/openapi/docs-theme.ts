/**
 * Swagger UI's look, made to fit: the page never scrolls sideways at 390 px (long paths and
 * words wrap, wide tables and code scroll inside their own box). Light or dark follows the system
 * with a switch: Swagger UI's own. Served by the hub as /docs/static/theme/showwire.css.
 */
export const docsTheme = `
.swagger-ui .wrapper { max-width: 1200px; padding: 0 16px; box-sizing: border-box; }
.swagger-ui, .swagger-ui .info .title, .swagger-ui .opblock-tag { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.swagger-ui .info { margin: 24px 0 16px; }
.swagger-ui .info .title small pre { background: none; }
.swagger-ui .markdown p, .swagger-ui .renderedMarkdown p, .swagger-ui .opblock-description-wrapper p { font-size: 15px; line-height: 1.5; }
.swagger-ui .opblock-tag { font-size: 20px; padding: 10px 8px; }
.swagger-ui .opblock-tag small { font-size: 14px; flex: 1 1 auto; padding: 0 0 0 12px; }
.swagger-ui .opblock .opblock-summary-path, .swagger-ui .opblock .opblock-summary-description,
.swagger-ui .opblock-tag small, .swagger-ui .markdown, .swagger-ui .renderedMarkdown { overflow-wrap: anywhere; word-break: normal; }
.swagger-ui pre, .swagger-ui .highlight-code, .swagger-ui .microlight { max-width: 100%; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.swagger-ui .table-container, .swagger-ui .responses-inner, .swagger-ui .model-box, .swagger-ui .opblock-body { max-width: 100%; overflow-x: auto; }
.swagger-ui table { max-width: 100%; }
.swagger-ui .scheme-container { padding: 12px 0; box-shadow: none; }
@media (max-width: 600px) {
  .swagger-ui .wrapper { padding: 0 8px; }
  .swagger-ui .info .title { font-size: 26px; }
  .swagger-ui .opblock-tag { flex-wrap: wrap; font-size: 18px; }
  .swagger-ui .opblock-tag small { flex-basis: 100%; padding: 4px 0 0; }
  .swagger-ui .opblock .opblock-summary { flex-wrap: wrap; }
  .swagger-ui .opblock .opblock-summary-control { flex-wrap: wrap; min-width: 0; }
  .swagger-ui .opblock .opblock-summary-path { max-width: 100%; flex: 1 1 60%; font-size: 14px; }
  .swagger-ui .opblock .opblock-summary-description { flex-basis: 100%; padding-top: 4px; }
  .swagger-ui .opblock .opblock-summary-method { min-width: 64px; }
  .swagger-ui .filter-container .operation-filter-input { width: 100%; box-sizing: border-box; }
  .swagger-ui table.parameters td, .swagger-ui table.parameters th { display: block; width: auto; }
  .swagger-ui .auth-wrapper { flex-wrap: wrap; }
  .swagger-ui .topbar .download-url-wrapper { display: none; }
}
`;

/** The top bar's mark, a link back to the dashboard (in place of Swagger UI's). */
export const docsLogo = {
  type: 'image/svg+xml',
  href: '/',
  target: '_self' as const,
  content: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="32" viewBox="0 0 180 32"><text x="0" y="24" font-family="system-ui,sans-serif" font-size="22" font-weight="700" fill="#fff">Showwire API</text></svg>',
  ),
};
