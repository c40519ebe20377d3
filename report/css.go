package report

// css is the page's only style sheet, inlined. System fonts only: nothing is fetched.
const css = `
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#e3e8ef;--bg:#f4f6f9;--card:#fff;--up:#2a9d8f;--down:#d1495b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Helvetica Neue",Arial,sans-serif}
header,main,footer{max-width:1320px;margin:0 auto;padding:0 20px}
header{padding-top:20px}
h1{font-size:24px;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:16px;margin:0 0 4px}
.sub{margin:0 0 14px;color:var(--muted)}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:10px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:150px;flex:1}
.kpi .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .n{color:var(--muted);font-size:12px}
.ladder{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:4px 0 16px;font-size:13px}
.ladder .k{color:var(--muted);text-transform:uppercase;font-size:12px;letter-spacing:.04em}
.chip{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:2px 10px}
.chip i,.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.rule{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}
.card.wide{grid-column:1/-1}
.lede{margin:0 0 8px;color:var(--muted);font-size:13px}
.figures{margin:6px 0 0;font-size:13px}
.params{color:var(--muted)}
.note{margin:6px 0 0;font-size:12px;color:var(--muted)}
.problem{margin:10px 0;padding:10px 12px;border-left:4px solid var(--down);background:#fdf2f3}
.empty{color:var(--muted)}
svg.chart{display:block;width:100%;height:auto;max-height:420px}
svg text{font-family:inherit;fill:var(--ink)}
svg .tick{font-size:11px;fill:var(--muted)}
svg .axis-title{font-size:12px;fill:var(--muted)}
svg .legend{font-size:12px}
svg .strong{font-weight:650}
svg .empty{font-size:13px;fill:var(--muted)}
svg .grid{stroke:#edf0f4;stroke-width:1}
svg .axis{stroke:#9aa5b1;stroke-width:1}
svg .even{stroke:#9aa5b1;stroke-width:1.2;stroke-dasharray:5 4}
svg .seg{stroke:#1f2933;stroke-width:2}
svg .cnt{font-size:15px;font-weight:650}
svg .segname{font-size:10px;fill:#3e4c59}
svg .inv{fill:#fff}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;white-space:nowrap}
table.num td,table.num th{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.num td:first-child,table.num th:first-child{text-align:left}
table.moves th.up{color:var(--up)}
table.moves th.down{color:var(--down)}
td.zero{color:#c0c7d0}
td.neg{color:var(--down)}
tr.total td{font-weight:650;border-top:2px solid var(--line)}
.findings td.r,.findings th.r{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.findings tr.flag td{background:#fff6e5}
.findings tr.flag td:last-child{font-weight:600}
footer{color:var(--muted);font-size:12px;padding-top:12px;padding-bottom:24px}
footer ul{margin:0 0 6px;padding-left:18px}
@media (max-width:1240px){.grid{grid-template-columns:1fr}}
@media print{
  @page{size:A4;margin:12mm}
  body{background:none;font-size:11pt}
  header,main,footer{max-width:none;padding:0}
  .grid{display:block}
  .card{border:none;border-radius:0;padding:0;margin:0 0 8mm;break-inside:avoid;page-break-inside:avoid}
  .kpis{flex-wrap:nowrap;gap:6px}
  .kpi{min-width:0;padding:4px 8px}
  .kpi .v{font-size:15pt}
  .kpi,.chip{border-color:#bbb}
  h2{break-after:avoid;page-break-after:avoid}
  svg.chart{max-height:none;max-width:170mm;break-inside:avoid;page-break-inside:avoid}
  .scroll{overflow:visible}
  tr{break-inside:avoid;page-break-inside:avoid}
  thead{display:table-header-group}
  .findings tr.flag td{background:none}
  .findings tr.flag td:last-child{text-decoration:underline}
  .problem{background:none}
  #economics,#findings{break-before:auto}
}
`
