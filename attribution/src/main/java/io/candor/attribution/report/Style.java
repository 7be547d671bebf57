package io.candor.attribution.report;

/**
 * The report's whole stylesheet: system fonts, a readable column, quiet tables, crisp small heatmaps.
 * It has no '<' or '&', so it is valid as XML text too.
 */
final class Style {
    static final String CSS = String.join("\n",
            "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
                    + "color:#1d1d1f;background:#fff;max-width:1360px;margin:2rem auto;padding:0 1.25rem}",
            "h1{font-size:1.75rem;margin:0 0 .75rem}",
            "h2{font-size:1.25rem;margin:2.25rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid #ddd}",
            "p{max-width:80ch}",
            "nav ol{margin:.25rem 0 1rem;padding-left:1.5rem;color:#555}",
            "a{color:#0b62c4}",
            ".scroll{overflow-x:auto;max-width:100%}",
            "table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}",
            "caption{text-align:left;font-weight:600;padding-bottom:.35rem}",
            "th,td{border:1px solid #d4d4d4;padding:.3rem .65rem;text-align:left;vertical-align:top}",
            "thead th{background:#f3f4f6}",
            "tbody th{font-weight:600;background:#fafafa}",
            ".n{text-align:right}",
            "table.heat td{text-align:center;min-width:3.2rem}",
            "p.scale{font-size:.85rem;color:#555;margin-top:-.5rem}",
            "figure{margin:1.25rem 0}",
            "figure.fig>figcaption{font-weight:600;margin-bottom:.5rem}",
            ".row{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}",
            ".row figure{margin:0}",
            ".row figcaption{text-align:center;color:#444;font-size:.9rem}",
            "img{display:block;max-width:100%;height:auto;border:1px solid #e4e4e4}",
            "img.px{image-rendering:crisp-edges;image-rendering:pixelated}",
            "svg.chart{display:block;max-width:100%;height:auto;border:1px solid #e4e4e4}",
            "pre.cmd{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:6px;padding:.5rem .75rem;margin:.5rem 0;"
                    + "overflow-x:auto;white-space:pre-wrap;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"
                    + "'Liberation Mono',monospace}",
            "pre.cmd code::before{content:'$ ';color:#8a8a8a}",
            ".tokens span.t{padding:2px 4px;margin:1px;border-radius:3px;display:inline-block;font-family:ui-monospace,"
                    + "Menlo,Consolas,monospace;font-size:.9rem}",
            ".tokens div.s{margin:.5rem 0}",
            ".tokens p.l{color:#555;margin:0;font-size:.85rem}",
            "footer{margin-top:3rem;color:#777;font-size:.85rem}");

    private Style() {
    }
}
