using Google.Protobuf;

namespace GridPositions.Orleans;

/// <summary>
/// A service message (protos/gridpositions/v1/service.proto) as a grain call carries it: its protobuf bytes, so the
/// grain's interface speaks the same messages as the gRPC service and any client that has the protos.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
[GenerateSerializer, Immutable]
public readonly record struct Message<T>([property: Id(0)] byte[] Bytes)
    where T : IMessage<T>, new()
{
    private static readonly MessageParser<T> s_parser = new(() => new T());

    /// <summary>The message, parsed from its bytes.</summary>
    public T Value => s_parser.ParseFrom(Bytes ?? []);

}

/// <summary>Wraps service messages for grain calls.</summary>
public static class Message
{
    /// <summary>Wraps a message.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="message">The message.</param>
    public static Message<T> Of<T>(T message)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.ToByteArray());
    }
}
