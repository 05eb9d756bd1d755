namespace TensorGrad.Optim;

/// <summary>Argument checks shared by optimizers and schedulers.</summary>
internal static class Validate
{
    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming <paramref name="owner"/> and the rule when <paramref name="valid"/> is false.</summary>
    public static void Require(bool valid, double value, string paramName, string owner, string rule)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{owner}: {paramName} must be {rule}.");
        }
    }
}
