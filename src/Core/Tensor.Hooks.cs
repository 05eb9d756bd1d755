using TensorGrad.Autograd;

namespace TensorGrad;

public sealed partial class Tensor
{
    private List<Action<Tensor>>? gradientHooks;

    /// <summary>
    /// Adds <paramref name="hook"/>(tensor), called during each <see cref="Backward()"/> as soon as
    /// this leaf's <see cref="Grad"/> holds every contribution of that backward pass (as PyTorch's
    /// <c>register_post_accumulate_grad_hook</c>): after the last recorded op that uses the leaf
    /// has added its part, while the ops recorded before it are still being differentiated. Data
    /// parallelism uses it to start averaging gradients before the backward pass ends; the hook
    /// may read and change <see cref="Grad"/>. Dispose the returned handle to remove it.
    /// </summary>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!IsLeaf)
        {
            throw new InvalidOperationException($"RegisterPostAccumulateGradHook: the {Shape} tensor from {Origin} is not a leaf; only leaves (parameters) accumulate gradients.");
        }

        (gradientHooks ??= []).Add(hook);
        GradientHooks.Added();
        return new HookHandle(() =>
        {
            if (gradientHooks.Remove(hook))
            {
                GradientHooks.Removed();
            }
        });
    }

    /// <summary>
    /// The factor every gradient contribution to this leaf is multiplied by before it is
    /// accumulated: 1, except under data parallelism, which sets 1 / ranks so that summing the
    /// ranks' gradients gives their average with no pass of its own. Linear's weight-gradient
    /// product applies it as its GEMM's alpha; <see cref="Backprop.Accumulate"/> applies it for every other op.
    /// </summary>
    internal double GradientScale { get; set; } = 1;

    /// <summary>True when post-accumulate hooks watch this leaf.</summary>
    internal bool HasGradientHooks => gradientHooks is { Count: > 0 };

    /// <summary>The post-accumulate hooks that watch this leaf.</summary>
    internal int GradientHookCount => gradientHooks?.Count ?? 0;

    /// <summary>
    /// The optimizer step that updates this leaf during the backward pass (set by
    /// <see cref="Optim.Optimizer.StepInBackward"/>), which a linear layer may hand its weight
    /// gradient unwritten (<see cref="Backprop.TryStepFromProduct"/>); null otherwise.
    /// </summary>
    internal IInBackwardStep? InBackwardStep { get; set; }

    /// <summary>How many inputs of the current backward walk's nodes are this hooked leaf (set with <see cref="GradientFinalAt"/>).</summary>
    internal int GradientContributions { get; set; }

    /// <summary>Position in the current backward walk after which this leaf's gradient is final.</summary>
    internal int GradientFinalAt { get; set; }

    /// <summary>The backward pass that last planned this leaf's hooks (so a leaf is planned once per pass).</summary>
    internal int HookPlan { get; set; }

    /// <summary>Runs the post-accumulate hooks in the order they were added.</summary>
    internal void RunGradientHooks()
    {
        for (int i = 0; i < gradientHooks!.Count; i++)
        {
            gradientHooks[i](this);
        }
    }
}
