using Drex.Model.Bundle;

namespace Drex.Model.Runtime;

/// <summary>
/// Applies interactions one at a time to user and item states with a bundle's graphs, exactly as the grains do:
/// the fused feature is computed once and both sides step from their old states. Actors start from the bundle's
/// snapshot, or from the learned initial state when the snapshot does not know them.
/// </summary>
public sealed class Replayer(DrexRuntime runtime)
{
    private readonly Dictionary<string, float[]> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _items = new(StringComparer.Ordinal);
    private readonly ActorColumns _snapshotUsers = runtime.Bundle.Snapshot.Users;
    private readonly ActorColumns _snapshotItems = runtime.Bundle.Snapshot.Items;

    public IReadOnlyDictionary<string, float[]> Users => _users;

    public IReadOnlyDictionary<string, float[]> Items => _items;

    public float[] UserState(string id) => StateOf(_users, _snapshotUsers, runtime.Bundle.Snapshot.UserInitial, id);

    public float[] ItemState(string id) => StateOf(_items, _snapshotItems, runtime.Bundle.Snapshot.ItemInitial, id);

    public float UserBias(string id) => BiasOf(_snapshotUsers, id);

    public float ItemBias(string id) => BiasOf(_snapshotItems, id);

    /// <summary>Predicts from the current states, then updates both; returns the prediction made before the update.</summary>
    public float Apply(string user, string item, InteractionInput input)
    {
        var (p, q) = (UserState(user), ItemState(item));
        var prediction = runtime.Predict(p, UserBias(user), q, ItemBias(item));
        var feature = runtime.Encode(input).Feature;
        _users[user] = runtime.StepUser(feature, p);
        _items[item] = runtime.StepItem(feature, q);
        return prediction;
    }

    /// <summary>Predicts with the served head from the current states without changing them.</summary>
    public float Predict(string user, string item) =>
        runtime.Predict(UserState(user), UserBias(user), ItemState(item), ItemBias(item));

    private static float[] StateOf(Dictionary<string, float[]> replayed, ActorColumns snapshot, float[] initial, string id) =>
        replayed.TryGetValue(id, out var state) ? state : snapshot.Find(id) is var row and >= 0 ? snapshot.State(row) : initial;

    private static float BiasOf(ActorColumns snapshot, string id) => snapshot.Find(id) is var row and >= 0 ? snapshot.Bias(row) : 0f;
}
