using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// Asks the OS for a free loopback TCP port, never the same one twice in this process: a port handed out is only
/// bound later by the process it is for, so until then the OS may offer it again.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
