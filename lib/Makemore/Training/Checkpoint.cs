using Makemore.Models;
using Makemore.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>
/// A trained model on disk: its parameters and buffers (BatchNorm's running statistics), each tensor in TorchSharp's
/// own format (<c>Tensor.Save</c>, as <c>nn.Module.save</c> writes them) after its name, so a notebook can load a
/// trained net instead of training it again.
/// </summary>
public static class Checkpoint
{
    /// <summary>Writes every parameter and buffer of <paramref name="model"/> to <paramref name="path"/>. The file is
    /// written next to its place and renamed over it at the end, so a save that fails half-way leaves the previous file
    /// as it was.</summary>
    public static void Save(IModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = File.Create(tmp))
            using (var writer = new BinaryWriter(stream))
            {
                var entries = Entries(model);
                writer.Write(entries.Count);
                foreach (var (name, tensor) in entries)
                {
                    writer.Write(name);
                    using var values = tensor.detach();
                    values.Save(writer);
                }
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>Reads <paramref name="path"/> into <paramref name="model"/>'s parameters and buffers. A file written for
    /// another model (other tensors, shapes or types) is refused, naming the first mismatch, and the model is left as it
    /// was: everything is read and checked before anything is copied in.</summary>
    public static void Load(IModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entries = Entries(model);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        int count = reader.ReadInt32();
        if (count != entries.Count)
            throw new ArgumentException($"{path} holds {count} tensors; this model has {entries.Count} " +
                                        $"({model.Parameters.Count} parameters, {model.Buffers.Count} buffers)");
        var loaded = new List<Tensor>(entries.Count);
        try
        {
            foreach (var (name, target) in entries)
            {
                string stored = reader.ReadString();
                if (stored != name)
                    throw new ArgumentException($"{path} holds '{stored}' where this model has '{name}'");
                var copy = zeros(target.shape, dtype: target.dtype);
                loaded.Add(copy);
                try { copy.Load(reader); }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"{path}: '{name}' does not fit this model's {PyFormat.Shape(target.shape)} " +
                                                $"{target.dtype} tensor ({e.Message})", e);
                }
            }
            using (no_grad())
                for (int k = 0; k < entries.Count; k++) entries[k].Tensor.copy_(loaded[k]);
        }
        finally
        {
            foreach (var t in loaded) t.Dispose();
        }
    }

    static List<(string Name, Tensor Tensor)> Entries(IModel model) =>
    [
        .. model.Parameters.Select((p, k) => ($"parameters.{k}", p)),
        .. model.Buffers.Select((b, k) => ($"buffers.{k}", b)),
    ];
}
