using TensorGrad.Backends;

namespace TensorGrad.Autograd;

/// <summary>The reverse walk over recorded nodes and gradient accumulation.</summary>
internal static class Backprop
{
    // The lists of the last pass, reused so a backward pass allocates nothing (a hook that runs
    // a nested backward pass finds them taken and makes its own).
    [ThreadStatic]
    private static List<Node>? spareWalk;

    [ThreadStatic]
    private static List<Tensor>? spareHooked;

    /// <summary>Back-propagates from <paramref name="root"/>, seeded with <paramref name="gradient"/> (ones for a scalar when null).</summary>
    public static void Run(Tensor root, Tensor? gradient)
    {
        _ = root.Buffer;
        if (gradient is null && root.Size != 1)
        {
            throw new InvalidOperationException($"Backward() on the {root.Shape} result of {root.Origin}: only a one-element (scalar) tensor has an implicit gradient; pass Backward(gradient) with a tensor of shape {root.Shape}.");
        }

        if (gradient is not null && (gradient.Shape != root.Shape || !gradient.Device.Equals(root.Device) || gradient.DType != root.DType))
        {
            throw new ArgumentException($"Backward(gradient): the gradient is {gradient.Shape} {gradient.DType} on {gradient.Device} but the tensor from {root.Origin} is {root.Shape} {root.DType} on {root.Device}.");
        }

        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException($"Backward() on the result of {root.Origin}: it does not require gradients. Record the ops inside `using var tape = Tape.Begin();` with RequiresGrad set on the inputs (parameters have it), and not inside Tape.NoGrad().");
        }

        Tape.EnterNoGrad();
        bool succeeded = false;
        try
        {
            var seed = Tensor.Result(root.Backend, root.Shape, root.DType, "Backward seed");
            if (gradient is null)
            {
                root.Backend.Fill(seed.Buffer, 1);
            }
            else
            {
                root.Backend.Copy(gradient.Buffer, seed.Buffer);
            }

            seed.Adopted = true;
            if (root.GradFn is null)
            {
                Accumulate(root, seed);
                if (root.HasGradientHooks)
                {
                    root.RunGradientHooks();
                }
            }
            else
            {
                Walk(root, seed);
            }

            succeeded = true;
        }
        finally
        {
            Anomaly.InBackwardOf(null);
            Tape.ExitNoGrad();
            GradientHooks.EndOfPass(succeeded);
        }
    }

    /// <summary>
    /// Adds <paramref name="grad"/> (shaped like <paramref name="target"/>) into the target's
    /// gradient slot, multiplied by a leaf's <see cref="Tensor.GradientScale"/> unless
    /// <paramref name="scaled"/> says the op already did.
    /// </summary>
    public static void Accumulate(Tensor target, Tensor grad, bool scaled = false)
    {
        if (!target.RequiresGrad)
        {
            return;
        }

        if (!scaled && target.GradientScale != 1)
        {
            var product = Tensor.Result(grad.Backend, grad.Shape, grad.DType, grad.Origin);
            grad.Backend.Scalar(ScalarOp.Mul, grad.Buffer, target.GradientScale, product.Buffer);
            grad = product;
        }

        if (Anomaly.Enabled)
        {
            Anomaly.OnGradient(target, grad);
        }

        if (target.IsLeaf)
        {
            if (Execution.TakesLeafGradients)
            {
                Execution.AddLeafGradient(target, Take(grad, userOwned: true));
            }
            else if (target.Grad is null)
            {
                target.Grad = Take(grad, userOwned: true);
            }
            else
            {
                AddInPlace(target.Grad, grad, target);
            }
        }
        else if (target.PendingGrad is null)
        {
            target.PendingGrad = Take(grad, userOwned: false);
        }
        else
        {
            AddInPlace(target.PendingGrad, grad, target);
        }
    }

    /// <summary>
    /// Hands <paramref name="leaf"/>'s in-backward optimizer step (<see cref="Tensor.InBackwardStep"/>)
    /// its gradient as the product <paramref name="gradient"/> describes, and returns true when the
    /// step took it; false means the caller accumulates the gradient as usual. The product is
    /// offered only when nothing else needs the gradient: the step is the leaf's only hook, the
    /// calling node is the only input of the walk that adds to the leaf, no earlier gradient waits
    /// in <see cref="Tensor.Grad"/>, and no anomaly check reads it.
    /// </summary>
    public static bool TryStepFromProduct(Tensor leaf, in LinearWeightGradient gradient) =>
        leaf.InBackwardStep is { } step && leaf.Grad is null && leaf.GradientHookCount == 1 && leaf.GradientContributions == 1
        && !Anomaly.Enabled && step.TryStepFromProduct(leaf, gradient);

    private static void Walk(Tensor root, Tensor seed)
    {
        var rootTape = root.Owner ?? throw new InvalidOperationException($"Backward(): the result of {root.Origin} is not owned by a tape.");
        var walk = spareWalk ?? [];
        var hooked = spareHooked ?? [];
        (spareWalk, spareHooked) = (null, null);
        root.PendingGrad = seed;
        try
        {
            Order(root, rootTape, walk);
            if (GradientHooks.Any)
            {
                GradientHooks.Plan(walk, hooked);
            }

            for (int position = 0, next = 0; position < walk.Count; position++)
            {
                var node = walk[position];
                var output = node.Output;
                if (output.PendingGrad is { } g)
                {
                    output.PendingGrad = null;
                    if (Anomaly.Enabled)
                    {
                        Anomaly.InBackwardOf(node);
                    }

                    node.Backward(g);
                    g.Release("after the backward pass consumed it");
                }

                for (; next < hooked.Count && hooked[next].GradientFinalAt == position; next++)
                {
                    if (hooked[next].Grad is not null)
                    {
                        hooked[next].RunGradientHooks();
                    }
                }
            }
        }
        catch
        {
            foreach (var node in walk)
            {
                node.Output.PendingGrad = null;
            }

            throw;
        }
        finally
        {
            walk.Clear();
            hooked.Clear();
            (spareWalk, spareHooked) = (walk, hooked);
        }
    }

    /// <summary>The nodes a backward pass from <paramref name="root"/> visits, in order: its tape's from the root's node back, then each enclosing tape's.</summary>
    private static void Order(Tensor root, Tape rootTape, List<Node> walk)
    {
        for (var tape = rootTape; tape is not null; tape = tape.Parent)
        {
            var nodes = tape.Nodes;
            int start = nodes.Count - 1;
            if (tape == rootTape)
            {
                while (start >= 0 && nodes[start] != root.GradFn)
                {
                    start--;
                }
            }

            for (int i = start; i >= 0; i--)
            {
                walk.Add(nodes[i]);
            }
        }
    }

    private static Tensor Take(Tensor grad, bool userOwned)
    {
        Tensor slot;
        if (grad.CanAdopt)
        {
            slot = grad;
        }
        else
        {
            slot = userOwned ? Tensor.Empty(grad.Shape, grad.Device, grad.DType, grad.Origin) : Tensor.Result(grad.Backend, grad.Shape, grad.DType, grad.Origin);
            grad.Backend.Copy(grad.Buffer, slot.Buffer);
        }

        slot.Adopted = true;
        if (userOwned)
        {
            slot.Owner = null;
        }

        return slot;
    }

    internal static void AddInPlace(Tensor slot, Tensor grad, Tensor target)
    {
        if (slot.Shape != grad.Shape || slot.DType != grad.DType || !slot.Device.Equals(grad.Device))
        {
            throw new InvalidOperationException($"Backward(): the gradient of the {target.Shape} tensor from {target.Origin} is {slot.Shape} {slot.DType} on {slot.Device}, which cannot accumulate a {grad.Shape} {grad.DType} gradient on {grad.Device}; reset it with Grad = null.");
        }

        slot.Backend.Binary(BinaryOp.Add, slot.Buffer, slot.Shape, grad.Buffer, grad.Shape, slot.Buffer, slot.Shape);
    }
}
