namespace AspireMmRag.Embedder.Batching;

/// <summary>
/// A lane's memory budget in bytes: a call reserves what its items will hold (e.g. decoded image tensors) before they are
/// produced, and gives it back when the call ends. A reservation that does not fit is refused at once with
/// <see cref="QueueFullException"/>; nothing waits.
/// </summary>
public sealed class ByteBudget(string lane, long capacity)
{
    private long _held;

    public long Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The budget must be positive.");

    /// <summary>Bytes currently reserved.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Reserves <paramref name="bytes"/>; dispose the reservation to release them.</summary>
    /// <exception cref="QueueFullException">The bytes do not fit in what is left of the budget.</exception>
    public Reservation Reserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        while (true)
        {
            var held = Interlocked.Read(ref _held);
            if (held + bytes > Capacity)
            {
                throw new QueueFullException(lane, held, bytes, Capacity);
            }
            if (Interlocked.CompareExchange(ref _held, held + bytes, held) == held)
            {
                return new Reservation(this, bytes);
            }
        }
    }

    /// <summary>Bytes held by one call; disposing releases them (once).</summary>
    public sealed class Reservation(ByteBudget budget, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Add(ref budget._held, -bytes);
            }
        }
    }
}
