using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// One request waiting for the SQLite writer: a <see cref="ChatPost"/>, a <see cref="ChatEdit"/>, a
/// <see cref="ChatDelete"/> or a <see cref="MarkerWrite"/>. The writer sets <see cref="Result"/> inside the batch's
/// transaction and gives it once that committed (or fails every request of a batch that did not).
/// </summary>
internal sealed class SqlitePendingWrite(object request)
{
    private readonly TaskCompletionSource<object> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public object Request { get; } = request;

    /// <summary>The answer, set inside the transaction, given once it committed.</summary>
    public object? Result { get; set; }

    /// <summary>The answer once committed, as the request's answer type.</summary>
    public async ValueTask<T> ResultAsync<T>() => (T)await done.Task;

    public void Complete() => done.TrySetResult(Result!);

    public void Fail(Exception failure) => done.TrySetException(failure);

    /// <summary>A read marker to store for a user.</summary>
    public sealed record MarkerWrite(string User, ReadMarker Marker);
}
