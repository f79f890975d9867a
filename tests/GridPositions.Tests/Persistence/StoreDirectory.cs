namespace GridPositions.Tests.Persistence;

/// <summary>A fresh directory under the system temp folder, deleted afterwards.</summary>
internal sealed class StoreDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gridpositions-" + Guid.NewGuid().ToString("N"));

    public string[] Files(string pattern) => Directory.GetFiles(Path, pattern).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
