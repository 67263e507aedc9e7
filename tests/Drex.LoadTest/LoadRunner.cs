using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Drex.LoadTest;

/// <summary>What one request of the load does.</summary>
public enum RequestKind
{
    /// <summary>POST /api/interactions with a rating only.</summary>
    Rating,

    /// <summary>POST /api/interactions with a rating and a short generated review.</summary>
    Review,

    /// <summary>GET /api/users/{id}/recommendations?k=K.</summary>
    Recommend,

    /// <summary>GET /health/live: the gateway's HTTP path with no grain call (the HTTP ceiling).</summary>
    Live,

    /// <summary>
    /// POST /api/diagnostics/noop-interactions with a rating only: ingestion's path to a no-op grain pair (the ingest
    /// ceiling; the gateway must run with Drex:Gateway:Diagnostics=true).
    /// </summary>
    NoOp,
}

/// <summary>How a request ended.</summary>
public enum Outcome : byte
{
    /// <summary>Never completed (still in flight at the end).</summary>
    Pending,

    /// <summary>2xx (and, for interactions, not a duplicate).</summary>
    Ok,

    /// <summary>Not sent: the in-flight bound was reached at its intended send time.</summary>
    Dropped,

    /// <summary>No answer within the request timeout.</summary>
    Timeout,

    /// <summary>Connection-level failure.</summary>
    Transport,

    /// <summary>A non-2xx status.</summary>
    Http,

    /// <summary>An interaction with a fresh id answered duplicate = true (should never happen).</summary>
    UnexpectedDuplicate,
}

/// <summary>Settings of an open-model run.</summary>
public sealed record LoadSettings
{
    public required Uri Gateway { get; init; }
    public required double Rate { get; init; }
    public required TimeSpan Duration { get; init; }
    public required TimeSpan Warmup { get; init; }
    public required double[] Mix { get; init; } // indexed by RequestKind
    public required int Users { get; init; }
    public required int Items { get; init; }
    public required double UserZipf { get; init; }
    public required double ItemZipf { get; init; }
    public required int MaxInFlight { get; init; }
    public required string RunId { get; init; }
    public required string UserPrefix { get; init; }
    public required string ItemPrefix { get; init; }
    public required int Seed { get; init; }
    public required TimeSpan Timeout { get; init; }
    public required bool Check { get; init; }
    public required bool CheckItems { get; init; }
    public required string IngestKey { get; init; }
    public required string ReadKey { get; init; }
    public required int K { get; init; }
    public required int CheckConcurrency { get; init; }
}

/// <summary>
/// An open-model load generator: requests are placed on a fixed timeline (request i is due at i / rate seconds)
/// and sent when due, whether or not earlier ones have answered, so a slow system cannot slow the load down
/// (no coordinated omission). Latency is measured from the intended send time, so queueing in the client, the
/// network or the server all count. At most MaxInFlight requests are outstanding; a request due while the bound
/// is reached is not sent and counts as dropped (an error).
/// </summary>
public sealed class LoadRunner
{
    private static readonly string[] Words =
    [
        "bright", "warm", "strings", "guitar", "cable", "noise", "tone", "sturdy", "cheap", "sound", "pedal", "tuner",
        "great", "poor", "quality", "value", "amp", "hum", "crisp", "broke", "works", "easy", "solid", "clear",
        "battery", "strap", "case", "neck", "fret", "buzz", "mic", "stand", "recommend", "return", "price", "shipping",
    ];

    private readonly LoadSettings _s;
    private readonly Slot[] _slots;
    private readonly string[] _bodies; // per slot for interactions (kept for retries), null otherwise
    private readonly HttpClient _http;
    private readonly long _tickRate = Stopwatch.Frequency;
    private int _inflight;
    private int _maxInflightSeen;
    private long _start;

    private struct Slot
    {
        public RequestKind Kind;
        public int User;
        public int Item;
        public long Intended; // stopwatch ticks from the start
        public long Dispatched;
        public long Completed;
        public short Status;
        public Outcome Outcome;
    }

    public LoadRunner(LoadSettings settings)
    {
        _s = settings;
        var total = checked((int)Math.Ceiling(settings.Rate * (settings.Warmup + settings.Duration).TotalSeconds));
        _slots = new Slot[total];
        _bodies = new string[total];
        var random = new Random(settings.Seed);
        var users = new Zipf(settings.Users, settings.UserZipf);
        var items = new Zipf(settings.Items, settings.ItemZipf);
        var mixTotal = settings.Mix.Sum();
        for (var i = 0; i < total; i++)
        {
            var u = random.NextDouble() * mixTotal;
            var kind = RequestKind.Live;
            for (var k = 0; k < settings.Mix.Length; k++)
            {
                if (u < settings.Mix[k] || k == settings.Mix.Length - 1)
                {
                    kind = (RequestKind)k;
                    break;
                }

                u -= settings.Mix[k];
            }

            ref var slot = ref _slots[i];
            slot.Kind = kind;
            slot.User = users.Next(random);
            slot.Item = items.Next(random);
            slot.Intended = (long)Math.Round(i / settings.Rate * _tickRate);
            if (kind is RequestKind.Rating or RequestKind.Review or RequestKind.NoOp)
            {
                var rating = 1 + random.Next(5);
                var review = kind == RequestKind.Review ? Review(random) : null;
                _bodies[i] = InteractionJson($"{settings.RunId}-x{i}", UserId(slot.User), ItemId(slot.Item), rating, review);
            }
        }

        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(16, settings.MaxInFlight),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = settings.Gateway,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        UserTopShare = users.TopShare;
        ItemTopShare = items.TopShare;
    }

    public double UserTopShare { get; }

    public double ItemTopShare { get; }

    public string UserId(int rank) => $"{_s.UserPrefix}{rank}";

    public string ItemId(int rank) => $"{_s.ItemPrefix}{rank}";

    /// <summary>Runs the schedule, waits for what is in flight, checks exactly-once; returns the summary.</summary>
    public async Task<Dictionary<string, object?>> RunAsync(CancellationToken ct)
    {
        // Open a handful of connections first so the first requests do not pay for TCP setup on the clock.
        await Task.WhenAll(Enumerable.Range(0, Math.Min(32, _s.MaxInFlight)).Select(async _ =>
        {
            using var response = await _http.GetAsync("/health/live", ct);
        }));

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _start = Stopwatch.GetTimestamp();
        var scheduler = new Thread(Schedule) { IsBackground = true, Name = "load-scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        var scheduleEnd = (long)((_s.Warmup + _s.Duration).TotalSeconds * _tickRate);
        while (scheduler.IsAlive)
        {
            await Task.Delay(1000, ct);
            var elapsed = (double)(Stopwatch.GetTimestamp() - _start) / _tickRate;
            Console.Error.Write($"\r  t={elapsed,5:F0}s in flight {Volatile.Read(ref _inflight),5}   ");
        }

        scheduler.Join();
        var drainDeadline = Stopwatch.GetTimestamp() + (long)((_s.Timeout.TotalSeconds + 5) * _tickRate);
        while (Volatile.Read(ref _inflight) > 0 && Stopwatch.GetTimestamp() < drainDeadline)
        {
            await Task.Delay(50, ct);
        }

        Console.Error.WriteLine();
        var summary = Summarise(scheduleEnd);
        summary["loadToolCpuSeconds"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, 2);
        summary["wallSeconds"] = Math.Round((double)(Stopwatch.GetTimestamp() - _start) / _tickRate, 2);
        if (_s.Check && _s.Mix[(int)RequestKind.Rating] + _s.Mix[(int)RequestKind.Review] > 0)
        {
            summary["exactlyOnce"] = await CheckExactlyOnceAsync(ct);
        }

        return summary;
    }

    private void Schedule()
    {
        var i = 0;
        while (i < _slots.Length)
        {
            var now = Stopwatch.GetTimestamp() - _start;
            while (i < _slots.Length && _slots[i].Intended <= now)
            {
                Dispatch(i);
                i++;
            }

            if (i < _slots.Length)
            {
                // Sleep, never spin: on a small machine a spinning generator would take a core from the system
                // under test. The sleep lasts until the next request is due, to the kernel's timer slack (~50 µs on
                // Linux), rather than whole milliseconds; a request's latency counts from its intended time anyway
                // (sendLagMs reports how late requests went out).
                PreciseSleep.For(_slots[i].Intended - (Stopwatch.GetTimestamp() - _start));
            }
        }
    }

    private void Dispatch(int i)
    {
        ref var slot = ref _slots[i];
        var inflight = Interlocked.Increment(ref _inflight);
        if (inflight > _s.MaxInFlight)
        {
            Interlocked.Decrement(ref _inflight);
            slot.Outcome = Outcome.Dropped;
            return;
        }

        if (inflight > _maxInflightSeen)
        {
            _maxInflightSeen = inflight;
        }

        slot.Dispatched = Stopwatch.GetTimestamp() - _start;
        _ = SendAsync(i);
    }

    private HttpRequestMessage Build(int i)
    {
        var slot = _slots[i];
        HttpRequestMessage message;
        switch (slot.Kind)
        {
            case RequestKind.Rating or RequestKind.Review:
                message = new HttpRequestMessage(HttpMethod.Post, "/api/interactions") { Content = Json(_bodies[i]) };
                message.Headers.Add("X-Api-Key", _s.IngestKey);
                break;
            case RequestKind.NoOp:
                message = new HttpRequestMessage(HttpMethod.Post, "/api/diagnostics/noop-interactions") { Content = Json(_bodies[i]) };
                message.Headers.Add("X-Api-Key", _s.IngestKey);
                break;
            case RequestKind.Recommend:
                message = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{Uri.EscapeDataString(UserId(slot.User))}/recommendations?k={_s.K}");
                message.Headers.Add("X-Api-Key", _s.ReadKey);
                break;
            default:
                message = new HttpRequestMessage(HttpMethod.Get, "/health/live");
                break;
        }

        return message;
    }

    private static ByteArrayContent Json(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task SendAsync(int i)
    {
        var kind = _slots[i].Kind;
        Outcome outcome;
        short status = 0;
        try
        {
            using var cts = new CancellationTokenSource(_s.Timeout);
            using var request = Build(i);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            status = (short)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                outcome = Outcome.Http;
            }
            else if (kind is RequestKind.Rating or RequestKind.Review)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
                outcome = body.AsSpan().IndexOf("\"duplicate\":false"u8) >= 0 ? Outcome.Ok : Outcome.UnexpectedDuplicate;
            }
            else
            {
                outcome = Outcome.Ok;
            }
        }
        catch (OperationCanceledException)
        {
            outcome = Outcome.Timeout;
        }
        catch (HttpRequestException)
        {
            outcome = Outcome.Transport;
        }
        catch (Exception)
        {
            outcome = Outcome.Transport;
        }

        _slots[i].Completed = Stopwatch.GetTimestamp() - _start;
        _slots[i].Status = status;
        _slots[i].Outcome = outcome;
        Interlocked.Decrement(ref _inflight);
    }

    private double Ms(long ticks) => ticks * 1000.0 / _tickRate;

    private Dictionary<string, object?> Summarise(long scheduleEnd)
    {
        var warmupTicks = (long)(_s.Warmup.TotalSeconds * _tickRate);
        var result = new Dictionary<string, object?>
        {
            ["runId"] = _s.RunId,
            ["gateway"] = _s.Gateway.ToString(),
            ["rate"] = _s.Rate,
            ["durationSeconds"] = _s.Duration.TotalSeconds,
            ["warmupSeconds"] = _s.Warmup.TotalSeconds,
            ["maxInFlight"] = _s.MaxInFlight,
            ["maxInFlightSeen"] = _maxInflightSeen,
            ["users"] = _s.Users,
            ["items"] = _s.Items,
            ["userZipf"] = _s.UserZipf,
            ["itemZipf"] = _s.ItemZipf,
            ["hottestUserShare"] = Math.Round(UserTopShare, 4),
            ["hottestItemShare"] = Math.Round(ItemTopShare, 4),
            ["mix"] = Enum.GetValues<RequestKind>().ToDictionary(k => k.ToString().ToLowerInvariant(), k => _s.Mix[(int)k]),
        };
        var measured = Enumerable.Range(0, _slots.Length).Where(i => _slots[i].Intended >= warmupTicks).ToArray();
        var kinds = new Dictionary<string, object?>();
        foreach (var kind in Enum.GetValues<RequestKind>().Append((RequestKind)(-1)))
        {
            var mine = kind < 0 ? measured : measured.Where(i => _slots[i].Kind == kind).ToArray();
            if (mine.Length == 0)
            {
                continue;
            }

            var ok = mine.Where(i => _slots[i].Outcome == Outcome.Ok).ToArray();
            var latencies = ok.Select(i => Ms(_slots[i].Completed - _slots[i].Intended)).ToList();
            var service = ok.Select(i => Ms(_slots[i].Completed - _slots[i].Dispatched)).ToList();
            var lag = mine.Where(i => _slots[i].Outcome != Outcome.Dropped).Select(i => Ms(_slots[i].Dispatched - _slots[i].Intended)).ToList();
            var lastCompletion = ok.Length == 0 ? scheduleEnd : ok.Max(i => _slots[i].Completed);
            var span = Math.Max(_s.Duration.TotalSeconds, (double)(lastCompletion - warmupTicks) / _tickRate);
            var errors = mine.Where(i => _slots[i].Outcome != Outcome.Ok)
                .GroupBy(i => _slots[i].Outcome == Outcome.Http ? $"http{_slots[i].Status}" : _slots[i].Outcome.ToString().ToLowerInvariant())
                .OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
            kinds[kind < 0 ? "all" : kind.ToString().ToLowerInvariant()] = new Dictionary<string, object?>
            {
                ["offered"] = mine.Length,
                ["offeredPerSecond"] = Math.Round(mine.Length / _s.Duration.TotalSeconds, 1),
                ["ok"] = ok.Length,
                ["throughputPerSecond"] = Math.Round(ok.Length / span, 1),
                ["errors"] = mine.Length - ok.Length,
                ["errorKinds"] = errors,
                ["latencyMs"] = LatencySummary.Of(latencies),
                ["serviceMs"] = LatencySummary.Of(service),
                ["sendLagMs"] = LatencySummary.Of(lag),
            };
        }

        result["kinds"] = kinds;

        // Per second of intended send time (warm-up included): how the run evolved (a hot actor slowing down, a queue building).
        result["timeline"] = Enumerable.Range(0, _slots.Length)
            .GroupBy(i => (int)(_slots[i].Intended / _tickRate))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var ok = g.Where(i => _slots[i].Outcome == Outcome.Ok).Select(i => Ms(_slots[i].Completed - _slots[i].Intended)).ToList();
                var summary = LatencySummary.Of(ok);
                return new Dictionary<string, object?>
                {
                    ["second"] = g.Key,
                    ["offered"] = g.Count(),
                    ["ok"] = ok.Count,
                    ["errors"] = g.Count() - ok.Count,
                    ["p50Ms"] = summary.P50,
                    ["p99Ms"] = summary.P99,
                };
            })
            .ToArray();
        return result;
    }

    /// <summary>
    /// Every interaction whose outcome is unknown (timeout, transport error, 5xx) is retried with the same id until
    /// it is acknowledged (retries are safe: the system applies an id once). Then each user (and item) this run
    /// wrote to must report exactly as many interactions as were acknowledged for it.
    /// </summary>
    private async Task<Dictionary<string, object?>> CheckExactlyOnceAsync(CancellationToken ct)
    {
        static bool Definite(short status) => status is 400 or 401 or 403 or 404 or 413 or 415 or 422 or 429;
        var interactions = Enumerable.Range(0, _slots.Length).Where(i => _slots[i].Kind is RequestKind.Rating or RequestKind.Review).ToArray();
        var unknown = interactions.Where(i => _slots[i].Outcome is Outcome.Timeout or Outcome.Transport or Outcome.Pending
            || (_slots[i].Outcome == Outcome.Http && !Definite(_slots[i].Status))).ToArray();
        var acked = new ConcurrentBag<int>(interactions.Where(i => _slots[i].Outcome is Outcome.Ok or Outcome.UnexpectedDuplicate));
        var retriedOk = 0;
        var retriedDuplicates = 0;
        var unresolved = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(unknown, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    using var request = Build(i);
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
                    cts.CancelAfter(TimeSpan.FromSeconds(60));
                    using var response = await _http.SendAsync(request, cts.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        var body = await response.Content.ReadAsStringAsync(cts.Token);
                        if (body.Contains("\"duplicate\":true", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref retriedDuplicates);
                        }
                        else
                        {
                            Interlocked.Increment(ref retriedOk);
                        }

                        acked.Add(i);
                        return;
                    }

                    if (Definite((short)response.StatusCode))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                }

                await Task.Delay(500 * (attempt + 1), token);
            }

            unresolved.Add(i);
        });

        var unresolvedUsers = unresolved.Select(i => _slots[i].User).ToHashSet();
        var unresolvedItems = unresolved.Select(i => _slots[i].Item).ToHashSet();
        var perUser = acked.GroupBy(i => _slots[i].User).ToDictionary(g => g.Key, g => g.Count());
        var perItem = acked.GroupBy(i => _slots[i].Item).ToDictionary(g => g.Key, g => g.Count());
        // Users and items sent to but never acknowledged must report 0.
        foreach (var i in interactions.Where(i => _slots[i].Outcome != Outcome.Dropped))
        {
            perUser.TryAdd(_slots[i].User, 0);
            perItem.TryAdd(_slots[i].Item, 0);
        }

        async Task<Dictionary<string, object?>> CheckAsync(string what, Dictionary<int, int> expected, Func<int, string> id, HashSet<int> unresolvedKeys)
        {
            var mismatches = new ConcurrentBag<string>();
            var failures = new ConcurrentBag<string>();
            long reflected = 0;
            await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = _s.CheckConcurrency, CancellationToken = ct }, async (pair, token) =>
            {
                var (rank, count) = pair;
                var key = id(rank);
                int? actual = null;
                for (var attempt = 0; attempt < 3 && actual is null; attempt++)
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/{what}/{Uri.EscapeDataString(key)}");
                        request.Headers.Add("X-Api-Key", _s.ReadKey);
                        using var response = await _http.SendAsync(request, token);
                        if (response.StatusCode == HttpStatusCode.NotFound)
                        {
                            actual = 0;
                        }
                        else if (response.IsSuccessStatusCode)
                        {
                            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(token));
                            actual = doc.RootElement.GetProperty("interactions").GetInt32();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or JsonException)
                    {
                    }

                    if (actual is null)
                    {
                        await Task.Delay(500, token);
                    }
                }

                if (actual is null)
                {
                    failures.Add(key);
                    return;
                }

                Interlocked.Add(ref reflected, actual.Value);
                if (actual != count)
                {
                    mismatches.Add($"{key}: reflects {actual}, acknowledged {count}{(unresolvedKeys.Contains(rank) ? " (has unresolved requests)" : "")}");
                }
            });
            var pass = mismatches.IsEmpty && failures.IsEmpty && unresolvedKeys.Count == 0;
            Console.WriteLine($"{(pass ? "PASS" : "FAIL")}: exactly-once over {expected.Count} {what}: {expected.Values.Sum()} acknowledged interactions, " +
                $"{reflected} reflected; {mismatches.Count} mismatched, {failures.Count} unreadable, {unresolvedKeys.Count} with unresolved requests");
            foreach (var m in mismatches.Take(10))
            {
                Console.WriteLine($"  {m}");
            }

            return new Dictionary<string, object?>
            {
                ["pass"] = pass,
                ["checked"] = expected.Count,
                ["acknowledged"] = expected.Values.Sum(),
                ["reflected"] = reflected,
                ["mismatched"] = mismatches.Count,
                ["unreadable"] = failures.Count,
                ["examples"] = mismatches.Take(10).ToArray(),
            };
        }

        var watch = Stopwatch.StartNew();
        var result = new Dictionary<string, object?>
        {
            ["unknownOutcomes"] = unknown.Length,
            ["retriedApplied"] = retriedOk,
            ["retriedDuplicates"] = retriedDuplicates,
            ["unresolved"] = unresolved.Count,
            ["users"] = await CheckAsync("users", perUser, UserId, unresolvedUsers),
        };
        if (_s.CheckItems)
        {
            result["items"] = await CheckAsync("items", perItem, ItemId, unresolvedItems);
        }

        result["checkSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1);
        result["pass"] = (bool)((Dictionary<string, object?>)result["users"]!)["pass"]!
            && (!_s.CheckItems || (bool)((Dictionary<string, object?>)result["items"]!)["pass"]!);
        return result;
    }

    public static string Review(Random random)
    {
        var n = 8 + random.Next(17);
        var sb = new StringBuilder();
        for (var w = 0; w < n; w++)
        {
            if (w > 0)
            {
                sb.Append(' ');
            }

            var word = Words[random.Next(Words.Length)];
            sb.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
        }

        return sb.Append('.').ToString();
    }

    private static string InteractionJson(string id, string user, string item, int rating, string? review)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("userId", user);
            w.WriteString("itemId", item);
            w.WriteNumber("rating", rating);
            if (review is not null)
            {
                w.WriteString("review", review);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
