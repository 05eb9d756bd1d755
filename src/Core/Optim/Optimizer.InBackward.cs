using TensorGrad.Autograd;
using TensorGrad.Backends;

namespace TensorGrad.Optim;

/// <summary>Stepping in the backward pass: each parameter updated as soon as its gradient is complete.</summary>
public abstract partial class Optimizer
{
    private IDisposable[]? inBackward;

    /// <summary>True while this optimizer steps in the backward pass (see <see cref="StepInBackward"/>).</summary>
    public bool StepsInBackward => inBackward is not null;

    /// <summary>
    /// Makes every backward pass step the optimizer itself, as PyTorch's optimizer-in-backward
    /// pattern does: each parameter is updated as soon as its gradient for the pass is complete
    /// (once the last recorded op that uses it has been differentiated), with the learning rate
    /// of that moment, and its gradient is released at once. <see cref="Tensor.Grad"/> stays null,
    /// and the gradients of a model are never all held at the same time.
    /// <para>
    /// The weight of a linear layer that only that layer uses takes its update straight from the
    /// weight-gradient product, so its gradient is never written to memory and read back: the CPU
    /// fuses the two for batches of up to 4 rows (a small batch's step is bound by memory traffic),
    /// and runs the product into a temporary otherwise; other backends use a temporary.
    /// </para>
    /// <para>
    /// The parameters end as <c>loss.Backward(); opt.Step();</c> leaves them (the same kernels on
    /// the same gradients). <see cref="Step"/> throws while this holds, and
    /// <see cref="StepCount"/> is the most updates any parameter has had. It does not go with
    /// what reads gradients after the pass: accumulation over several passes, clipping by the
    /// global norm, gradient monitors; nor with data parallelism, whose hooks finish the
    /// gradients at the end of the pass. A backward pass that throws part way leaves the
    /// parameters it reached updated. A <see cref="KernelGraph"/> captures the updates with the
    /// step: each replay updates the parameters with the learning rate of that moment. Dispose
    /// the returned handle to call <see cref="Step"/> again.
    /// </para>
    /// </summary>
    public IDisposable StepInBackward()
    {
        if (inBackward is not null)
        {
            throw new InvalidOperationException($"{Name}.StepInBackward: this optimizer already steps in the backward pass; dispose the first handle before asking again.");
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.InBackwardStep is not null || p.HasGradientHooks)
            {
                throw new InvalidOperationException($"{Name}.StepInBackward: parameter {i} ({p.Shape}) already has {(p.InBackwardStep is not null ? "an optimizer stepping in the backward pass" : "post-accumulate gradient hooks (data parallelism registers them)")}; a step in the backward pass must be the only reader of its gradient.");
            }
        }

        var handles = new IDisposable[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var step = new ParameterStep(this, i);
            handles[i] = parameters[i].RegisterPostAccumulateGradHook(step.FromGradient);
            parameters[i].InBackwardStep = step;
        }

        inBackward = handles;
        return new HookHandle(() =>
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }

            foreach (var p in parameters)
            {
                p.InBackwardStep = null;
            }

            inBackward = null;
        });
    }

    /// <summary>
    /// True when <see cref="UpdateFromProduct"/> applies this optimizer's rule; false (the
    /// default) has every gradient reach <see cref="Update"/> as a tensor.
    /// </summary>
    protected virtual bool TakesProducts => false;

    /// <summary>
    /// Applies this optimizer's rule to parameter <paramref name="index"/> for its
    /// <paramref name="step"/>-th update from a linear layer's weight-gradient product (see
    /// <see cref="StepInBackward"/>), through a backend kernel that need not write the gradient.
    /// Called only when <see cref="TakesProducts"/> is true.
    /// </summary>
    protected virtual void UpdateFromProduct(int index, Tensor parameter, in LinearWeightGradient gradient, int step) =>
        throw new NotSupportedException($"{Name} takes no weight-gradient products.");

    // Inside a KernelGraph capture the gradient is a graph tensor that each replay writes again:
    // the step becomes a step of the graph, which reads the learning rate and step count when it
    // runs, and the gradient is left to the graph.
    private void StepFromGradient(int index, Tensor parameter)
    {
        if (Execution.TakesLeafGradients)
        {
            Execution.RunHostStep(() => StepFromGradient(index, parameter, releaseGradient: false));
        }
        else
        {
            StepFromGradient(index, parameter, releaseGradient: true);
        }
    }

    private void StepFromGradient(int index, Tensor parameter, bool releaseGradient)
    {
        var gradient = parameter.Grad!;
        CheckGradient("StepInBackward", index, parameter, gradient);
        Update(index, parameter, gradient, NextStep(index));
        parameter.Grad = null;
        if (releaseGradient)
        {
            gradient.Dispose();
        }
    }

    private bool StepFromProduct(int index, Tensor parameter, in LinearWeightGradient gradient)
    {
        if (!TakesProducts)
        {
            return false;
        }

        if (Execution.TakesLeafGradients)
        {
            var product = gradient;
            Execution.RunHostStep(() => UpdateFromProduct(index, parameter, product, NextStep(index)));
        }
        else
        {
            UpdateFromProduct(index, parameter, gradient, NextStep(index));
        }

        return true;
    }

    // Counts parameter index's update; StepCount, the passes that updated a parameter, is the most
    // updates any parameter has had (a replay runs no backward pass to count).
    private int NextStep(int index)
    {
        int step = ++steps[index];
        StepCount = Math.Max(StepCount, step);
        return step;
    }

    /// <summary>The step of one parameter, as its post-accumulate hook and as the product a linear layer offers.</summary>
    private sealed class ParameterStep(Optimizer optimizer, int index) : IInBackwardStep
    {
        public void FromGradient(Tensor parameter) => optimizer.StepFromGradient(index, parameter);

        public bool TryStepFromProduct(Tensor parameter, in LinearWeightGradient gradient) => optimizer.StepFromProduct(index, parameter, gradient);
    }
}
