namespace TensorGrad.Tests.Properties;

/// <summary>
/// How many cases each property runs: 1,000 by default (the CI budget), or
/// <c>TENSORGRAD_PROPERTY_ITERATIONS</c> for a longer search. A failing case is shrunk and
/// reported by CsCheck with the seed that replays it (pass it as <c>seed:</c> to <c>Sample</c>).
/// </summary>
internal static class Budget
{
    public static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("TENSORGRAD_PROPERTY_ITERATIONS"), out long n) && n > 0 ? n : 1000;
}
