using System.Net;
using System.Net.Sockets;

namespace AspireMmRag.TestModels;

public static class FreePorts
{
    private static readonly Random Random = new();

    /// <summary>A port free now on loopback for which <paramref name="alsoFreeOffset"/> above it is free too (RabbitMQ's distribution port).</summary>
    public static int Next(int alsoFreeOffset = 0)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Next(15000, 40000);
            if (IsFree(port) && (alsoFreeOffset == 0 || IsFree(port + alsoFreeOffset)))
            {
                return port;
            }
        }
        throw new InvalidOperationException("No free loopback port found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
