using System.Globalization;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.IO;

/// <summary>
/// Training checkpoints and model weights in safetensors files. <see cref="Save"/> and
/// <see cref="Load"/> keep everything needed to resume training exactly: the parameters as
/// <c>model.{name}</c>, the optimizer buffers as <c>optimizer.{index}.{buffer}</c>, and in the
/// metadata the format tag <c>tensorgrad.checkpoint/1</c>, the epoch and the optimizer's type,
/// learning rate and step counts. <see cref="SaveModel"/> and <see cref="LoadModel"/> exchange a
/// plain state dictionary with PyTorch's parameter names (<c>"0.weight"</c>), as
/// <c>save_file(model.state_dict(), path)</c> and <c>model.load_state_dict(load_file(path))</c> do.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Saves <paramref name="model"/>'s parameters, <paramref name="optimizer"/>'s state (when
    /// given), <paramref name="epoch"/> and the caller's <paramref name="metadata"/> to
    /// <paramref name="path"/>, atomically (see <see cref="SafeTensors.Save"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A metadata key is one the format reserves (<c>format</c>, <c>epoch</c>, <c>optimizer</c>, <c>optimizer.*</c>).</exception>
    public static void Save(string path, Module model, Optimizer? optimizer = null, int epoch = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var reserved = (metadata?.Keys ?? []).Where(CheckpointFormat.IsReserved).ToList();
        if (reserved.Count > 0)
        {
            throw new ArgumentException($"Checkpoint.Save('{path}'): the metadata keys {string.Join(", ", reserved.Select(k => $"'{k}'"))} are reserved by the checkpoint format. Nothing was written.", nameof(metadata));
        }

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.StateDict())
        {
            tensors.Add(CheckpointFormat.ModelPrefix + name, tensor);
        }

        var strings = new OrderedDictionary<string, string>(StringComparer.Ordinal)
        {
            [CheckpointFormat.FormatKey] = CheckpointFormat.Tag,
            [CheckpointFormat.EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
        };
        if (optimizer is not null)
        {
            var state = optimizer.GetState();
            foreach (var (key, buffer) in state.Buffers)
            {
                tensors.Add(CheckpointFormat.OptimizerPrefix + key, buffer);
            }

            CheckpointFormat.Describe(state, strings);
        }

        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            strings.Add(key, value);
        }

        SafeTensors.Save(path, tensors, strings);
    }

    /// <summary>
    /// Restores <paramref name="model"/> and, when given, <paramref name="optimizer"/> from a
    /// checkpoint written by <see cref="Save"/>. Everything is checked before anything changes:
    /// the format tag and metadata, every parameter name and shape, and the optimizer's type,
    /// parameter count and buffer shapes. On any problem an exception names the file and what is
    /// wrong, and neither the model nor the optimizer is modified.
    /// </summary>
    /// <returns>The epoch and the caller's metadata stored with the checkpoint.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid TensorGrad checkpoint (see also <see cref="SafeTensors.Load"/>).</exception>
    /// <exception cref="ArgumentException">The checkpoint does not fit <paramref name="model"/> or <paramref name="optimizer"/>, or has no optimizer state while an optimizer was given.</exception>
    public static CheckpointInfo Load(string path, Module model, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var file = SafeTensors.Load(path);
        var metadata = file.Metadata;
        if (!metadata.TryGetValue(CheckpointFormat.FormatKey, out string? format) || format != CheckpointFormat.Tag)
        {
            string found = format is null ? "has no 'format' metadata" : $"has format '{format}'";
            throw CheckpointFormat.Invalid(path, $"the file {found}, not '{CheckpointFormat.Tag}'; a plain state dictionary (SaveModel, PyTorch's save_file) loads with Checkpoint.LoadModel");
        }

        int epoch = CheckpointFormat.ReadCount(path, metadata, CheckpointFormat.EpochKey);
        var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var buffers = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in file.Tensors)
        {
            if (name.StartsWith(CheckpointFormat.ModelPrefix, StringComparison.Ordinal))
            {
                parameters.Add(name[CheckpointFormat.ModelPrefix.Length..], tensor);
            }
            else if (name.StartsWith(CheckpointFormat.OptimizerPrefix, StringComparison.Ordinal))
            {
                buffers.Add(name[CheckpointFormat.OptimizerPrefix.Length..], tensor);
            }
            else
            {
                throw CheckpointFormat.Invalid(path, $"tensor '{name}' is neither 'model.*' nor 'optimizer.*'");
            }
        }

        CheckFits(path, model, parameters);
        if (optimizer is not null)
        {
            var state = CheckpointFormat.ReadOptimizerState(path, metadata, buffers)
                ?? throw new ArgumentException($"Checkpoint.Load('{path}'): the checkpoint was saved without optimizer state; pass no optimizer to load only the model. Nothing was loaded.", nameof(optimizer));
            try
            {
                optimizer.LoadState(state);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Checkpoint.Load('{path}'): the checkpoint does not fit the optimizer: {Reason(e)}", nameof(optimizer), e);
            }
        }

        model.LoadStateDict(parameters);
        var own = metadata.Where(item => !CheckpointFormat.IsReserved(item.Key)).ToDictionary(item => item.Key, item => item.Value, StringComparer.Ordinal);
        return new CheckpointInfo(epoch, own);
    }

    /// <summary>
    /// Saves <paramref name="model"/>'s state dictionary to <paramref name="path"/> under PyTorch's
    /// names with no prefix (<c>"0.weight"</c>, <c>"0.bias"</c>, ...), readable by
    /// <c>safetensors.torch.load_file</c>; Linear weights are [out, in] as in <c>torch.nn.Linear</c>.
    /// </summary>
    public static void SaveModel(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensors.Save(path, model.StateDict(), metadata);
    }

    /// <summary>
    /// Loads a state dictionary saved by <see cref="SaveModel"/> or by PyTorch
    /// (<c>save_file(model.state_dict(), path)</c>) into <paramref name="model"/>, all or nothing
    /// (see <see cref="Module.LoadStateDict"/>); F16 and BF16 weights are widened.
    /// </summary>
    /// <exception cref="ArgumentException">The names or shapes do not fit the model (with <paramref name="strict"/>, every name must match), or the file is a training checkpoint.</exception>
    public static void LoadModel(string path, Module model, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var file = SafeTensors.Load(path);
        if (file.Metadata.TryGetValue(CheckpointFormat.FormatKey, out string? format) && format == CheckpointFormat.Tag)
        {
            throw new ArgumentException($"Checkpoint.LoadModel('{path}'): the file is a training checkpoint ('model.*' and 'optimizer.*' tensors); load it with Checkpoint.Load. Nothing was loaded.", nameof(path));
        }

        try
        {
            model.LoadStateDict(file.Tensors, strict);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Checkpoint.LoadModel('{path}'): {Reason(e)}", nameof(model), e);
        }
    }

    /// <summary>The message of <paramref name="e"/> without the " (Parameter 'name')" that <see cref="ArgumentException.Message"/> appends.</summary>
    private static string Reason(ArgumentException e)
    {
        string suffix = new ArgumentException("", e.ParamName).Message;
        return e.ParamName is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    /// <summary>Checks that <paramref name="parameters"/> has exactly the model's names and shapes.</summary>
    private static void CheckFits(string path, Module model, Dictionary<string, Tensor> parameters)
    {
        var problems = model.StateDictProblems(parameters, strict: true, CheckpointFormat.ModelPrefix, "the file");
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Checkpoint.Load('{path}'): the checkpoint does not fit {model.GetType().Name}: {string.Join("; ", problems)}. Nothing was loaded.", nameof(model));
        }
    }
}
