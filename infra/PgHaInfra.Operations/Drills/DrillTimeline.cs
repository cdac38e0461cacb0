using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace PgHaInfra.Operations.Drills;

/// <summary>
/// The drill's picture: acknowledged (and failed) writes per 100 ms across the drill, with a vertical marker for each
/// step (fence, final LSN reached, promote, re-point, rejoin) and for when writes stopped and resumed. OxyPlot's
/// managed SvgExporter renders it, with no native dependency.
/// </summary>
public static class DrillTimeline
{
    public static readonly TimeSpan Bucket = TimeSpan.FromMilliseconds(100);

    private static readonly Dictionary<string, string> StepLabels = new(StringComparer.Ordinal)
    {
        ["crash"] = "crash (SIGKILL)",
        ["fence"] = "fence",
        ["final-lsn"] = "final LSN reached",
        ["promote"] = "promote",
        ["re-point"] = "re-point",
        ["rejoin"] = "rejoin",
    };

    public static PlotModel Model(DrillReport report)
    {
        var origin = report.StartedAt;
        double At(DateTimeOffset t) => (t - origin).TotalSeconds;
        var model = new PlotModel
        {
            Title = $"pgha drill: {report.Kind} on stack {report.Stack} ({report.Promotion.OldPrimary} → {report.Promotion.NewPrimary})",
            Subtitle = report.Verdict,
            Background = OxyColors.White,
            TitleFontSize = 15,
            SubtitleFontSize = 12,
            Padding = new OxyThickness(10, 30, 30, 10),
        };
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
        });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "seconds since the drill started", Minimum = 0, Maximum = At(report.EndedAt), StringFormat = "0.0" });
        var buckets = DrillMetrics.PerBucket(report.Writes, origin, report.EndedAt, Bucket);
        var peak = Math.Max(1, buckets.Max(b => Math.Max(b.Acknowledged, b.Failed)));
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "writes per 100 ms", Minimum = 0, Maximum = peak * 1.35 });

        var acked = new StairStepSeries { Title = "acknowledged", Color = OxyColor.FromRgb(0x2a, 0x7a, 0x2a), StrokeThickness = 1.5 };
        var failed = new StairStepSeries { Title = "failed", Color = OxyColor.FromRgb(0xc0, 0x30, 0x30), StrokeThickness = 1 };
        foreach (var (seconds, ack, fail) in buckets)
        {
            acked.Points.Add(new DataPoint(seconds, ack));
            failed.Points.Add(new DataPoint(seconds, fail));
        }

        model.Series.Add(acked);
        model.Series.Add(failed);

        // Markers close together would print over each other: their labels take turns at three heights.
        var markers = new List<(double X, string Text, OxyColor Color, LineStyle Style)>();
        foreach (var step in report.Steps.Where(s => StepLabels.ContainsKey(s.Step)))
        {
            // Markers sit where the step ended ("final LSN reached", "promoted"), except the fence, which counts from its start.
            var at = step.Step is "fence" or "crash" ? step.StartedAt : step.EndedAt;
            markers.Add((At(at), StepLabels[step.Step], OxyColor.FromRgb(0x30, 0x50, 0xa0), LineStyle.Dash));
        }

        if (report.Metrics.WritesStopped is { } stopped)
        {
            markers.Add((At(stopped), "writes stopped", OxyColor.FromRgb(0xc0, 0x30, 0x30), LineStyle.Solid));
        }

        if (report.Metrics.WritesResumed is { } resumed)
        {
            markers.Add((At(resumed), $"writes resumed (+{report.Metrics.LongestGap.TotalMilliseconds:0} ms)", OxyColor.FromRgb(0x2a, 0x7a, 0x2a), LineStyle.Solid));
        }

        var heights = new[] { 0.98, 0.66, 0.34 };
        foreach (var (marker, index) in markers.OrderBy(m => m.X).Select((m, i) => (m, i)))
        {
            var annotation = Marker(marker.X, marker.Text, marker.Color, marker.Style);
            annotation.TextLinePosition = heights[index % heights.Length];
            model.Annotations.Add(annotation);
        }

        return model;
    }

    public static string Svg(DrillReport report, double width = 1100, double height = 480)
    {
        var exporter = new SvgExporter { Width = width, Height = height, IsDocument = true };
        using var stream = new MemoryStream();
        exporter.Export(Model(report), stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static LineAnnotation Marker(double x, string text, OxyColor color, LineStyle style) => new()
    {
        Type = LineAnnotationType.Vertical,
        X = x,
        Text = text,
        Color = color,
        TextColor = color,
        LineStyle = style,
        StrokeThickness = 1,
        TextOrientation = AnnotationTextOrientation.Vertical,
        TextHorizontalAlignment = HorizontalAlignment.Right,
        FontSize = 10,
    };
}
