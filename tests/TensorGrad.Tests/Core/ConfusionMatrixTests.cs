using TensorGrad.Metrics;

namespace TensorGrad.Tests.Core;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void Counts_argmax_predictions_against_labels_with_precision_and_recall()
    {
        var matrix = new ConfusionMatrix(3);
        // Rows predict 0, 2, 2, 1; labels 0, 2, 1, 1.
        var scores = Tensor.FromArray([5f, 1, 0, 0, 1, 3, 0, 0, 9, 0, 4, 2], 4, 3);
        matrix.Add(scores, Tensor.FromArray([0f, 2, 1, 1], 4));
        Assert.Equal(4, matrix.Total);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(0.75, matrix.Accuracy);
        Assert.Equal(0.5, matrix.Recall(1));
        Assert.Equal(0.5, matrix.Precision(2));
        Assert.Equal(0.75, Accuracy.Of(scores, Tensor.FromArray([0f, 2, 1, 1], 4)));
        Assert.Contains("actual\\pred", matrix.ToString());
    }

    [Fact]
    public void Labels_outside_the_classes_are_rejected()
    {
        var matrix = new ConfusionMatrix(3);
        var e = Assert.Throws<ArgumentException>(() => matrix.Add([0f], [3f]));
        Assert.Contains("label 0 is 3, not a class id in [0, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => matrix.Add(Tensor.Zeros([2, 4]), Tensor.Zeros([2])));
    }
}
