namespace TensorGrad.Autograd;

/// <summary>Resetting parameters' gradients, shared by optimizers and modules.</summary>
internal static class GradientSlots
{
    public static void Clear(IReadOnlyList<Tensor> parameters, bool setToNull)
    {
        Execution.Refuse("ZeroGrad", "call it before Replay(), outside the captured step, so each replay starts from cleared gradients");
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
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
