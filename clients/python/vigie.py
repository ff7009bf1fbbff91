"""A client for the Vigie scoring service, on the standard library alone (urllib, json).

    from vigie import Client
    vigie = Client("http://127.0.0.1:8080", key)
    vigie.create_model("cards", features=[{"name": "amount"}, {"name": "channel", "type": "nominal",
                       "values": ["web", "pos"]}], classes=["ok", "fraud"], model="committee")
    answer = vigie.predict("cards", "tx-1", {"amount": 12.5, "channel": "web"})
    vigie.label("cards", "tx-1", "ok")          # days later, when the truth is known
    vigie.get_model("cards")["metrics"]["cumulative"]["accuracy"]

Every operation of the service's OpenAPI document is in OPERATIONS under its operationId
(test_vigie checks the two agree); `call` reaches any of them, and the methods below name the
common ones. A refusal raises VigieError with the RFC 9457 problem the service answered.
"""
import json
import urllib.error
import urllib.parse
import urllib.request

# operationId: (method, path) as in GET /openapi.json
OPERATIONS = {
    "analystPage": ("GET", "/"),
    "live": ("GET", "/health/live"),
    "ready": ("GET", "/health/ready"),
    "metrics": ("GET", "/metrics"),
    "openApi": ("GET", "/openapi.json"),
    "createKey": ("POST", "/v1/keys"),
    "listKeys": ("GET", "/v1/keys"),
    "revokeKey": ("DELETE", "/v1/keys/{id}"),
    "createModel": ("POST", "/v1/models"),
    "listModels": ("GET", "/v1/models"),
    "getModel": ("GET", "/v1/models/{name}"),
    "deleteModel": ("DELETE", "/v1/models/{name}"),
    "predict": ("POST", "/v1/models/{name}/predict"),
    "predictBatch": ("POST", "/v1/models/{name}/predict/batch"),
    "postLabels": ("POST", "/v1/models/{name}/labels"),
    "postEvents": ("POST", "/v1/models/{name}/events"),
    "getStoredPrediction": ("GET", "/v1/models/{name}/predictions/{id}"),
    "getDrifts": ("GET", "/v1/models/{name}/drifts"),
    "getTimeline": ("GET", "/v1/models/{name}/timeline"),
    "listVersions": ("GET", "/v1/models/{name}/versions"),
    "createVersion": ("POST", "/v1/models/{name}/versions"),
    "deleteVersion": ("DELETE", "/v1/models/{name}/versions/{version}"),
    "getSnapshot": ("GET", "/v1/models/{name}/versions/{version}/snapshot"),
    "rollback": ("POST", "/v1/models/{name}/rollback"),
    "addChallenger": ("POST", "/v1/models/{name}/challengers"),
    "removeChallenger": ("DELETE", "/v1/models/{name}/challengers/{challenger}"),
    "getComparison": ("GET", "/v1/models/{name}/comparison"),
    "promote": ("POST", "/v1/models/{name}/promote"),
    "listAudit": ("GET", "/v1/audit"),
}


class VigieError(Exception):
    """A refusal: the HTTP status and the problem document (type, title, detail), or a batch's results."""

    def __init__(self, status, body):
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        self.type = self.body.get("type", "")
        self.detail = self.body.get("detail", "")
        super().__init__(f"{status} {self.body.get('title', '')}: {self.detail or body}")


class Client:
    def __init__(self, url, key, timeout=30):
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def call(self, operation, body=None, query=None, **path):
        """Calls an operation by its operationId; returns the decoded JSON answer (text or bytes otherwise)."""
        method, template = OPERATIONS[operation]
        target = self.url + template.format(**{k: urllib.parse.quote(str(v), safe="") for k, v in path.items()})
        if query:
            target += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(target, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.key)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _decode(response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as refused:
            raise VigieError(refused.code, _decode(refused.headers.get("Content-Type", ""), refused.read())) from None

    # ---- models ---------------------------------------------------------------------------
    def create_model(self, name, features, classes, model="committee", **settings):
        """settings: seed, abstention ({target_coverage, gamma, cost_error, cost_abstain, per_class}), label_ttl ("P30D")."""
        return self.call("createModel", dict(name=name, model=model, schema={"features": features, "classes": classes}, **settings))

    def list_models(self):
        return self.call("listModels")["models"]

    def get_model(self, name):
        return self.call("getModel", name=name)

    def delete_model(self, name):
        return self.call("deleteModel", name=name)

    # ---- scoring and labels -------------------------------------------------------------------
    def predict(self, model, id, features, explain=False):
        return self.call("predict", {"id": id, "features": features}, {"explain": "true"} if explain else None, name=model)

    def predict_batch(self, model, events):
        """events: [{"id", "features"}, ...]; the predictions in the same order, where an event that could not be
        read holds its own problem ({"id", "status", "outcome": "invalid", "detail"}) and the others are scored."""
        try:
            return self.call("predictBatch", {"events": list(events)}, name=model)["predictions"]
        except VigieError as refused:
            if "predictions" in refused.body:
                return refused.body["predictions"]  # no event could be read: each says why
            raise

    def label(self, model, id, label):
        return self.call("postLabels", {"id": id, "label": label}, name=model)

    def labels(self, model, labels):
        """labels: [{"id", "label"}, ...]; {"learned", "results"} with each item's outcome."""
        try:
            return self.call("postLabels", {"labels": list(labels)}, name=model)
        except VigieError as refused:
            if "results" in refused.body:
                return refused.body  # no item was learned: each says why
            raise

    def learn(self, model, events):
        """Labelled events never scored: [{"id", "features", "label"}, ...]."""
        return self.call("postEvents", {"events": list(events)}, name=model)

    def stored_prediction(self, model, id):
        return self.call("getStoredPrediction", name=model, id=id)

    # ---- what the model knows -------------------------------------------------------------------
    def drifts(self, model):
        return self.call("getDrifts", name=model)

    def timeline(self, model):
        return self.call("getTimeline", name=model)

    def versions(self, model):
        return self.call("listVersions", name=model)

    def rollback(self, model, version):
        return self.call("rollback", {"version": version}, name=model)


def _decode(content_type, raw):
    if "json" in content_type:
        return json.loads(raw.decode("utf-8")) if raw else None
    if content_type.startswith("text/"):
        return raw.decode("utf-8")
    return raw
