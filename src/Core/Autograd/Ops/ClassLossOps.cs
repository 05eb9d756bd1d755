using System.Globalization;

namespace TensorGrad.Autograd.Ops;

/// <summary>Pieces of the class-id losses composed from ops: the one-hot mask and its checks.</summary>
internal static class ClassLossOps
{
    /// <summary>Checks logits or log-probabilities [N, C] (named <paramref name="role"/>) against class ids [N] and weights [C]; returns C.</summary>
    public static int CheckShapes(string op, string role, Tensor scores, Tensor classIds, Tensor? weights)
    {
        OpChecks.Rank(op, scores, 2, $"{role} [batch, classes]");
        OpChecks.SameDeviceAndType(op, scores, classIds);
        if (classIds.Rank != 1 || classIds.Shape[0] != scores.Shape[0])
        {
            throw new ArgumentException($"{op}: class ids must have shape [{scores.Shape[0]}] to match {role} {scores.Shape}, got {classIds.Shape} on {classIds.Device}.");
        }

        int classes = scores.Shape[1];
        if (weights is not null)
        {
            OpChecks.SameDeviceAndType(op, scores, weights);
            if (weights.Shape != new Shape(classes))
            {
                throw new ArgumentException($"{op}: class weights must have shape [{classes}], got {weights.Shape} on {weights.Device}.");
            }
        }

        return classes;
    }

    /// <summary>
    /// The one-hot mask [N, C] of <paramref name="classIds"/> (no gradient). The ids are read back
    /// and checked to be integers in [0, C), except inside a KernelGraph capture.
    /// </summary>
    public static Tensor OneHot(string op, Tensor classIds, int classes)
    {
        int rows = classIds.Shape[0];
        if (Execution.AllowsHostReads)
        {
            var ids = classIds.ToDoubleArray();
            int row = Array.FindIndex(ids, id => !(id >= 0 && id < classes && id == Math.Floor(id)));
            if (row >= 0)
            {
                throw new ArgumentException($"{op}: class id {ids[row].ToString(CultureInfo.InvariantCulture)} in row {row} is not an integer in [0, {classes}) ({classIds.Shape} on {classIds.Device}).");
            }
        }

        var backend = classIds.Backend;
        var ones = Tensor.Result(backend, new Shape(rows), classIds.DType, op + " one-hot");
        var oneHot = Tensor.Result(backend, new Shape(rows, classes), classIds.DType, op + " one-hot");
        backend.Fill(ones.Buffer, 1);
        backend.ScatterAlongAxis(ones.Buffer, classIds.Buffer, rows, classes, 1, oneHot.Buffer);
        ones.ReleaseIfUnowned();
        return oneHot;
    }
}
