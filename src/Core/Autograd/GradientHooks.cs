namespace TensorGrad.Autograd;

/// <summary>
/// When, during a backward pass, each hooked leaf's gradient is final (see
/// <see cref="Tensor.RegisterPostAccumulateGradHook"/>), and the callbacks queued to run when the
/// pass ends. Costs nothing while no leaf has a hook.
/// </summary>
internal static class GradientHooks
{
    private static int hookCount;
    private static int plans;

    [ThreadStatic]
    private static List<Action>? callbacks;

    /// <summary>True while some leaf has a post-accumulate hook.</summary>
    public static bool Any => Volatile.Read(ref hookCount) > 0;

    public static void Added() => Interlocked.Increment(ref hookCount);

    public static void Removed() => Interlocked.Decrement(ref hookCount);

    /// <summary>
    /// Fills <paramref name="hooked"/> with the hooked leaves that the nodes of
    /// <paramref name="walk"/> (in the order the backward pass visits them) add gradients to,
    /// ordered by <see cref="Tensor.GradientFinalAt"/>: the position of the last node that does;
    /// each leaf's <see cref="Tensor.GradientContributions"/> counts the inputs that name it.
    /// </summary>
    public static void Plan(List<Node> walk, List<Tensor> hooked)
    {
        int plan = Interlocked.Increment(ref plans);
        for (int position = walk.Count - 1; position >= 0; position--)
        {
            var inputs = walk[position].Inputs;
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (!input.IsLeaf || !input.RequiresGrad || !input.HasGradientHooks)
                {
                    continue;
                }

                if (input.HookPlan != plan)
                {
                    input.HookPlan = plan;
                    input.GradientFinalAt = position;
                    input.GradientContributions = 0;
                    hooked.Add(input);
                }

                input.GradientContributions++;
            }
        }

        hooked.Reverse();
    }

    /// <summary>
    /// Runs <paramref name="callback"/> once when the backward pass running on this thread ends
    /// (as PyTorch's engine <c>queue_callback</c>); data parallelism waits for its last allreduce there.
    /// </summary>
    public static void QueueCallback(Action callback) => (callbacks ??= []).Add(callback);

    /// <summary>Runs and clears the queued callbacks (when the pass succeeded) or only clears them.</summary>
    public static void EndOfPass(bool succeeded)
    {
        if (callbacks is not { Count: > 0 } queued)
        {
            return;
        }

        callbacks = null;
        if (succeeded)
        {
            foreach (var callback in queued)
            {
                callback();
            }
        }
    }
}
