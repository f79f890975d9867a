using System.Globalization;
using GridPositions.Persistence;

namespace GridPositions;

/// <summary>
/// The embedded store: one directory holding snapshots (<c>snapshot-N.gps</c>) and an append-only journal in
/// segments (<c>journal-N.gpj</c>, N = the first record's sequence), every record length-prefixed and CRC-checked.
/// </summary>
/// <remarks>
/// <para>One owner: <see cref="Open"/> takes an exclusive OS lock on the directory's <c>LOCK</c> file, released by the
/// OS when the owner dies; a second opener gets <see cref="StoreLockedException"/>.</para>
/// <para>Recovery reads the newest snapshot and the journal after it (the manager replays it). A torn last record (a crash mid-write)
/// is cut off; damage anywhere else stops recovery with <see cref="StoreCorruptedException"/> naming the file and offset.
/// Each checkpoint keeps the previous snapshot and its journal as well, and deletes everything older, so disk use
/// stays bounded by two checkpoint intervals.</para>
/// </remarks>
public sealed class FilePositionStore : IPositionStore
{
    private const string SnapshotMagic = "GPS1";
    private const string JournalMagic = "GPJ1";
    private const string SnapshotPrefix = "snapshot-", SnapshotSuffix = ".gps";
    private const string JournalPrefix = "journal-", JournalSuffix = ".gpj";

    private readonly FileStream _lock;
    private FileStream? _segment;
    private ulong _segmentFirst;
    private bool _disposed;
    private bool _recovered;

    private FilePositionStore(string directory, Durability durability, FileStream lockFile)
    {
        DirectoryPath = directory;
        Durability = durability;
        _lock = lockFile;
    }

    /// <summary>The store's directory.</summary>
    public string DirectoryPath { get; }

    /// <inheritdoc/>
    public Durability Durability { get; }

    /// <summary>Opens (creating if needed) the store in <paramref name="directory"/>, as its only owner.</summary>
    /// <exception cref="StoreLockedException">Another process or store object owns the directory.</exception>
    /// <exception cref="ArgumentException">The directory is blank or the durability unknown.</exception>
    public static FilePositionStore Open(string directory, Durability durability = Durability.GroupCommit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (durability is not (Durability.None or Durability.GroupCommit or Durability.EveryRecord))
        {
            throw new ArgumentException($"Unknown durability {durability}.", nameof(durability));
        }

        Directory.CreateDirectory(directory);
        string lockPath = Path.Combine(directory, "LOCK");
        try
        {
            // FileShare.None is an exclusive advisory lock (flock on Unix); the OS drops it when the process dies.
            var lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new FilePositionStore(Path.GetFullPath(directory), durability, lockFile);
        }
        catch (IOException e)
        {
            throw new StoreLockedException($"The store at {Path.GetFullPath(directory)} is owned by another process or store object ({e.Message}).", e);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Recover already ran on this store object (one owner, one recovery).</exception>
    public StoreRecovery Recover()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_recovered)
        {
            throw new InvalidOperationException($"The store at {DirectoryPath} was already recovered; it has one owner. Dispose it and open the directory again to recover anew.");
        }

        _recovered = true;
        foreach (string temp in Directory.GetFiles(DirectoryPath, "*.tmp"))
        {
            File.Delete(temp); // a checkpoint that crashed before its rename
        }

        List<(ulong Start, string Path)> snapshots = Numbered(SnapshotPrefix, SnapshotSuffix);
        List<(ulong First, string Path)> segments = Numbered(JournalPrefix, JournalSuffix);
        if (snapshots.Count == 0)
        {
            if (segments.Any(s => new FileInfo(s.Path).Length > RecordFile.HeaderSize))
            {
                throw new StoreCorruptedException(segments[0].Path, 0, "journal records exist but no snapshot does");
            }

            return new StoreRecovery(null, 1);
        }

        (ulong start, string snapshotPath) = snapshots[^1];
        StoreSnapshot snapshot = ReadSnapshot(snapshotPath, start);
        var replay = segments.Where(s => s.First >= start).ToList();
        var journal = new List<JournalEntry>();
        ulong expected = start;
        TornTail? torn = null;
        for (int i = 0; i < replay.Count; i++)
        {
            (ulong first, string path) = replay[i];
            if (first != expected)
            {
                throw new StoreCorruptedException(path, 0, $"the segment starts at sequence {first}, but sequence {expected} was expected next");
            }

            bool last = i == replay.Count - 1;
            RecordFile.Contents contents = RecordFile.Read(path, JournalMagic, tailMayBeTorn: last);
            foreach ((long offset, ReadOnlyMemory<byte> payload) in contents.Records)
            {
                // A segment's entries are consecutive from the number in its name; the manager checks each against its record.
                journal.Add(new JournalEntry(expected++, payload) { Source = path, Offset = offset });
            }

            if (last)
            {
                if (contents.TornAt >= 0)
                {
                    torn = new TornTail(path, contents.TornAt, new FileInfo(path).Length - contents.TornAt);
                }

                OpenForAppend(path, first, contents.TornAt);
            }
        }

        if (_segment is null)
        {
            StartSegment(expected);
        }

        return new StoreRecovery(snapshot, expected) { Journal = journal, TornTail = torn };
    }

    /// <inheritdoc/>
    public void Append(IReadOnlyList<JournalEntry> entries)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(entries);
        FileStream segment = _segment ?? throw new InvalidOperationException("Recover must run before the journal is appended to.");
        var buffer = new List<byte>(entries.Count * 256);
        foreach (JournalEntry entry in entries)
        {
            RecordFile.Frame(entry.Payload.Span, buffer);
        }

        segment.Write(buffer.ToArray());
        // Stryker disable once Boolean : an fsync differs from a page-cache write only on power loss, which no test can cause
        segment.Flush(flushToDisk: true);
    }

    /// <inheritdoc/>
    public void StartSegment(ulong firstSequence)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The journal asks for the next sequence, so a current segment that starts there holds nothing yet: keep it. (The
        // current segment is never recreated, so asking twice cannot truncate the records it already has.)
        if (_segment is not null && _segmentFirst == firstSequence)
        {
            return;
        }

        // Stryker disable once Statement : a leaked handle of a segment already flushed changes nothing the store reads or writes
        _segment?.Dispose();
        string path = Path.Combine(DirectoryPath, Name(JournalPrefix, firstSequence, JournalSuffix));
        _segment = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        _segment.Write(RecordFile.Header(JournalMagic));
        // Stryker disable once Boolean : an fsync differs from a page-cache write only on power loss, which no test can cause
        _segment.Flush(flushToDisk: true);
        _segmentFirst = firstSequence;
    }

    /// <inheritdoc/>
    public void Checkpoint(StoreSnapshot snapshot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(snapshot);
        string path = Path.Combine(DirectoryPath, Name(SnapshotPrefix, snapshot.JournalStartSequence, SnapshotSuffix));
        // Stryker disable once String : writing in place differs from write-then-rename only if the process dies mid-write
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var buffer = new List<byte>();
            buffer.AddRange(RecordFile.Header(SnapshotMagic));
            RecordFile.Frame(snapshot.Payload.Span, buffer);
            file.Write(buffer.ToArray());
            // Stryker disable once all : the using block flushes on dispose; the fsync differs only on power loss
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        Prune();
    }

    /// <summary>Releases the directory lock and closes the journal.</summary>
    public void Dispose()
    {
        // Stryker disable once Statement : disposing the streams twice is harmless
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Stryker disable once Statement : a leaked segment handle changes nothing the store reads or writes (the directory lock is what a reopen needs)
        _segment?.Dispose();
        _lock.Dispose();
    }

    /// <summary>Keeps the two newest snapshots and the journal from the older of them on; deletes the rest.</summary>
    private void Prune()
    {
        List<(ulong Number, string Path)> snapshots = Numbered(SnapshotPrefix, SnapshotSuffix);
        if (snapshots.Count < 2)
        {
            return;
        }

        ulong keepFrom = snapshots[^2].Number;
        foreach ((ulong start, string path) in snapshots.Where(s => s.Number < keepFrom))
        {
            File.Delete(path);
        }

        foreach ((ulong first, string path) in Numbered(JournalPrefix, JournalSuffix).Where(s => s.Number < keepFrom))
        {
            File.Delete(path);
        }
    }

    private void OpenForAppend(string path, ulong first, long tornAt)
    {
        var segment = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        if (tornAt >= 0)
        {
            segment.SetLength(Math.Max(tornAt, RecordFile.HeaderSize)); // cut the torn record off
            if (tornAt < RecordFile.HeaderSize)
            {
                segment.Position = 0;
                segment.Write(RecordFile.Header(JournalMagic));
            }

            // Stryker disable once Boolean : an fsync differs from a page-cache write only on power loss, which no test can cause
            segment.Flush(flushToDisk: true);
        }

        segment.Seek(0, SeekOrigin.End);
        _segment = segment;
        _segmentFirst = first;
    }

    private static StoreSnapshot ReadSnapshot(string path, ulong journalStart)
    {
        RecordFile.Contents contents = RecordFile.Read(path, SnapshotMagic, tailMayBeTorn: false);
        if (contents.Records.Count != 1)
        {
            throw new StoreCorruptedException(path, RecordFile.HeaderSize, $"a snapshot file holds one record, this one {contents.Records.Count}");
        }

        (long offset, ReadOnlyMemory<byte> payload) = contents.Records[0];
        return new StoreSnapshot(journalStart, payload) { Source = path, Offset = offset };
    }

    private List<(ulong Number, string Path)> Numbered(string prefix, string suffix) =>
        Directory.GetFiles(DirectoryPath, prefix + "*" + suffix)
            .Select(path => (Name: Path.GetFileName(path), Path: path))
            .Select(f => (Ok: ulong.TryParse(f.Name.AsSpan(prefix.Length, f.Name.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n), Number: n, f.Path))
            .Where(f => f.Ok)
            .Select(f => (f.Number, f.Path))
            .OrderBy(f => f.Number)
            .ToList();

    private static string Name(string prefix, ulong number, string suffix) => prefix + number.ToString("D20", CultureInfo.InvariantCulture) + suffix;
}
