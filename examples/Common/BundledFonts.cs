namespace TensorGrad.Examples.Common;

/// <summary>
/// The DejaVu Sans subsets shipped in Fonts/ beside every program that references this project,
/// so plots look the same everywhere and have readable labels on machines with no fonts
/// installed (where Skia would draw none). The subsets hold printable ASCII and ° ± · × − – — …
/// only: keep plot text to those characters.
/// </summary>
public static class BundledFonts
{
    /// <summary>The family of the bundled fonts.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>
    /// Makes the bundled fonts ScottPlot's default. Returns false (and changes nothing) when the
    /// font files are not beside the program.
    /// </summary>
    public static bool Use()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fonts");
        string regular = Path.Combine(folder, "DejaVuSans.ttf"), bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
        if (!File.Exists(regular) || !File.Exists(bold))
        {
            return false;
        }

        ScottPlot.Fonts.AddFontFile(Family, regular, bold: false, italic: false);
        ScottPlot.Fonts.AddFontFile(Family, bold, bold: true, italic: false);
        ScottPlot.Fonts.Default = Family;
        return true;
    }
}
