namespace TensorGrad.Autograd;

/// <summary>Resetting parameters' gradients, shared by optimizers and modules.</summary>
internal static class GradientSlots
{
    public static void Clear(IEnumerable<Tensor> parameters, bool setToNull)
    {
        foreach (var p in parameters)
        {
            if (p.Grad is null)
            {
                continue;
            }

            if (setToNull)
            {
                p.Grad.Dispose();
                p.Grad = null;
            }
            else
            {
                p.Grad.Fill(0);
            }
        }
    }
}
