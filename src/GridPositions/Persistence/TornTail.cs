namespace GridPositions;

/// <summary>A torn last journal entry that recovery cut off.</summary>
/// <param name="File">The journal segment.</param>
/// <param name="Offset">Where the torn entry began; the file now ends there.</param>
/// <param name="BytesCut">How many bytes were cut.</param>
public sealed record TornTail(string File, long Offset, long BytesCut);
