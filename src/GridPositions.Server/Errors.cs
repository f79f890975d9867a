using Grpc.Core;
using Orleans.Runtime;

namespace GridPositions.Server;

/// <summary>The library's errors (and a cluster's) as gRPC statuses, with the message (and the argument it names) as the detail.</summary>
internal static class Errors
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (ToStatus(e) is { } rpc)
        {
            throw rpc;
        }
    }

    /// <summary>The status for an exception, or null to let it through (a bug: INTERNAL).</summary>
    public static RpcException? ToStatus(Exception e)
    {
        (StatusCode code, string? field) = e switch
        {
            RpcException => ((StatusCode)(-1), null),
            ArgumentException a => (StatusCode.InvalidArgument, a.ParamName), // nothing changed
            // Not acknowledged, and the manager refuses every durable change until it is reopened: retrying here cannot help.
            PersistenceFailedException => (StatusCode.FailedPrecondition, null),
            ObjectDisposedException => (StatusCode.Unavailable, null),
            // A fenced grain activation, a dead silo, grain storage that failed: not acknowledged, and a retry reaches a live activation.
            OrleansException or TimeoutException => (StatusCode.Unavailable, null),
            LeaseLostException or PositionConflictException or OrderInFlightException => (StatusCode.FailedPrecondition, null),
            InvalidOperationException => (StatusCode.FailedPrecondition, null),
            _ => ((StatusCode)(-1), null),
        };
        if ((int)code < 0)
        {
            return null;
        }

        var trailers = new Metadata { { "error-type", e.GetType().Name } };
        if (field is not null)
        {
            trailers.Add("field", field);
        }

        return new RpcException(new Status(code, e.Message), trailers);
    }
}
