using TorchSharp;

namespace Drex.Trainer.Training;

internal static class TensorExtensions
{
    /// <summary>
    /// The tensor times itself. TorchSharp's <c>square()</c> is <c>pow(2)</c> with a temporary Scalar, which can be
    /// finalised while the native call still reads it (the same failure as an implicit alpha: "Expected false to be
    /// true" from c10::Scalar::toDouble, seen once in a CI run); a product of two tensors takes no Scalar.
    /// </summary>
    public static torch.Tensor Squared(this torch.Tensor t) => t.mul(t);
}
