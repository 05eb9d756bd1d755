namespace TensorGrad.Optim;

/// <summary>
/// Everything an optimizer needs to resume: its type, learning rate, step counts and state
/// buffers, keyed <c>"{parameter index}.{buffer}"</c> with PyTorch's buffer names
/// (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>). A parameter that has not been
/// stepped yet has no buffers. From <see cref="Optimizer.GetState"/> the buffers are the live
/// tensors, not copies.
/// </summary>
/// <param name="Optimizer">The optimizer's type name (<c>"Adam"</c>).</param>
/// <param name="LearningRate">The learning rate in effect.</param>
/// <param name="StepCount">Number of <see cref="Optimizer.Step"/> calls.</param>
/// <param name="ParameterSteps">Updates applied to each parameter (Adam's bias correction uses them).</param>
/// <param name="Buffers">The state buffers by name.</param>
public sealed record OptimizerState(string Optimizer, double LearningRate, int StepCount, IReadOnlyList<int> ParameterSteps, IReadOnlyDictionary<string, Tensor> Buffers);
