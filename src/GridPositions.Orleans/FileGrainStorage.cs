using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Serialization;
using Orleans.Storage;

namespace GridPositions.Orleans;

/// <summary>
/// Grain storage in a folder, the embedded default: each state is a file per version, created only if absent, so a
/// write with a stale ETag (a second activation, another silo on the same folder) finds its version taken and fails
/// with <see cref="InconsistentStateException"/>. Written to a temporary file, flushed to disk, then linked into place.
/// </summary>
/// <param name="directory">The folder; every silo that shares it shares the grains' state.</param>
/// <param name="serializer">Orleans' serializer, for the state objects.</param>
public sealed class FileGrainStorage(string directory, Serializer serializer) : IGrainStorage
{
    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        (long version, string? path) = Latest(stateName, grainId);
        if (path is null)
        {
            (grainState.State, grainState.ETag, grainState.RecordExists) = (Activator.CreateInstance<T>(), null, false);
            return Task.CompletedTask;
        }

        grainState.State = serializer.Deserialize<T>(File.ReadAllBytes(path));
        (grainState.ETag, grainState.RecordExists) = (version.ToString(CultureInfo.InvariantCulture), true);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        long expected = grainState.ETag is { } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : 0;
        (long latest, _) = Latest(stateName, grainId);
        if (latest != expected)
        {
            throw new InconsistentStateException($"{stateName} of {grainId} is at version {latest} in {directory}, not {expected}: another activation wrote it.", latest.ToString(CultureInfo.InvariantCulture), grainState.ETag ?? "");
        }

        long next = expected + 1;
        string final = PathOf(stateName, grainId, next), temporary = final + "." + Guid.NewGuid().ToString("N") + ".tmp";
        Directory.CreateDirectory(directory);
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.Write(serializer.SerializeToArray(grainState.State));
            file.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temporary, final, overwrite: false); // fails if the version exists: the loser of a race is fenced
        }
        catch (IOException)
        {
            File.Delete(temporary);
            if (!File.Exists(final))
            {
                throw;
            }

            throw new InconsistentStateException($"{stateName} of {grainId}: version {next} was written by another activation first.", next.ToString(CultureInfo.InvariantCulture), grainState.ETag ?? "");
        }

        // A writer that passed the check above and paused may find its version free again (an old one, deleted below by
        // a newer writer): if a newer version exists now, this write is stale and must not be acknowledged.
        (long newest, _) = Latest(stateName, grainId);
        if (newest > next)
        {
            File.Delete(final);
            throw new InconsistentStateException($"{stateName} of {grainId}: version {newest} was written while this write of {next} was in flight.", newest.ToString(CultureInfo.InvariantCulture), grainState.ETag ?? "");
        }

        (grainState.ETag, grainState.RecordExists) = (next.ToString(CultureInfo.InvariantCulture), true);
        foreach ((long version, string path) in Versions(stateName, grainId))
        {
            if (version < next - 1)
            {
                File.Delete(path); // the previous version stays until the next write, for a reader that listed it
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        foreach ((_, string path) in Versions(stateName, grainId))
        {
            File.Delete(path);
        }

        (grainState.State, grainState.ETag, grainState.RecordExists) = (Activator.CreateInstance<T>(), null, false);
        return Task.CompletedTask;
    }

    private (long Version, string? Path) Latest(string stateName, GrainId grainId)
    {
        (long version, string? path) latest = (0, null);
        foreach ((long version, string path) in Versions(stateName, grainId))
        {
            if (version > latest.version)
            {
                latest = (version, path);
            }
        }

        return latest;
    }

    private IEnumerable<(long Version, string Path)> Versions(string stateName, GrainId grainId)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        string prefix = Prefix(stateName, grainId);
        foreach (string path in Directory.EnumerateFiles(directory, prefix + "*.state"))
        {
            string name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - ".state".Length), NumberStyles.None, CultureInfo.InvariantCulture, out long version))
            {
                yield return (version, path);
            }
        }
    }

    private string PathOf(string stateName, GrainId grainId, long version) =>
        Path.Combine(directory, Prefix(stateName, grainId) + version.ToString("D12", CultureInfo.InvariantCulture) + ".state");

    /// <summary>A file-name prefix for a grain's state: readable, and a hash so any key is a safe name.</summary>
    private static string Prefix(string stateName, GrainId grainId)
    {
        string id = grainId.ToString();
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(stateName + "\n" + id)))[..16];
        string readable = new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').Take(48)]);
        return $"{stateName}.{readable}.{hash}.";
    }
}
