"""The Python client against a live service: VIGIE_URL and VIGIE_KEY (an admin key) name it.

    VIGIE_URL=http://127.0.0.1:8080 VIGIE_KEY=... python3 -m unittest -v test_vigie

mvn -B verify runs it against a service of its own (PythonClientTest).
"""
import os
import random
import unittest

from vigie import OPERATIONS, Client, VigieError

FEATURES = [{"name": "amount"}, {"name": "hour"}, {"name": "channel", "type": "nominal", "values": ["web", "pos"]}]


def transaction(rng):
    return {"amount": round(rng.random() * 100, 1), "hour": rng.randrange(24), "channel": rng.choice(["web", "pos"])}


def truth(features):
    return "fraud" if features["amount"] > 60 and features["hour"] < 6 else "ok"


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vigie = Client(os.environ["VIGIE_URL"], os.environ["VIGIE_KEY"])

    def test_every_operation_of_the_document_and_no_other(self):
        document = self.vigie.call("openApi")
        documented = {}
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if method != "parameters":
                    documented[operation["operationId"]] = (method.upper(), path)
        self.assertEqual(documented, OPERATIONS)

    def test_create_predict_label_later_and_read(self):
        created = self.vigie.create_model("py-cards", FEATURES, ["ok", "fraud"], model="hat", seed=3)
        self.assertEqual("py-cards", created["name"])
        self.assertEqual(0, created["learned"])
        rng = random.Random(7)

        single = transaction(rng)
        answer = self.vigie.predict("py-cards", "tx-0", single, explain=True)
        self.assertEqual("tx-0", answer["id"])
        self.assertIn(answer["label"], ("ok", "fraud"))
        self.assertAlmostEqual(1.0, sum(answer["probabilities"].values()), places=6)
        self.assertIn("explanation", answer)

        events = [{"id": f"tx-{i}", "features": transaction(rng)} for i in range(1, 201)]
        predictions = self.vigie.predict_batch("py-cards", events)
        self.assertEqual([e["id"] for e in events], [p["id"] for p in predictions])

        # an event that cannot be read fails alone
        mixed = self.vigie.predict_batch("py-cards", [{"id": "bad", "features": {"amount": "lots"}},
                                                      {"id": "fresh", "features": transaction(rng)}])
        self.assertEqual(422, mixed[0]["status"])
        self.assertEqual("fresh", mixed[1]["id"])
        self.assertIn("probabilities", mixed[1])
        self.assertEqual(422, self.vigie.predict_batch("py-cards", [{"id": "bad", "features": {"amount": "lots"}}])[0]["status"])

        # the truth comes later: one label alone, then the rest in a batch
        self.assertEqual("learned", self.vigie.label("py-cards", "tx-0", truth(single))["status"])
        result = self.vigie.labels("py-cards", [{"id": e["id"], "label": truth(e["features"])} for e in events])
        self.assertEqual(200, result["learned"])

        model = self.vigie.get_model("py-cards")
        self.assertEqual(201, model["learned"])
        self.assertEqual(201, model["metrics"]["cumulative"]["labelled"])
        self.assertGreater(model["metrics"]["cumulative"]["accuracy"], 0.5)
        self.assertEqual("tx-5", self.vigie.stored_prediction("py-cards", "tx-5")["id"])
        self.assertIn("py-cards", [m["name"] for m in self.vigie.list_models()])

        # a label the service cannot join is a refusal with its problem, and a batch says why per item
        with self.assertRaises(VigieError) as unknown:
            self.vigie.label("py-cards", "never-scored", "ok")
        self.assertEqual(404, unknown.exception.status)
        self.assertTrue(unknown.exception.type.endswith("/unknown-id"), unknown.exception.type)
        refused = self.vigie.labels("py-cards", [{"id": "tx-1", "label": "ok"}])
        self.assertEqual(0, refused["learned"])
        self.assertEqual("duplicate", refused["results"][0]["outcome"])

        self.vigie.delete_model("py-cards")
        with self.assertRaises(VigieError) as gone:
            self.vigie.get_model("py-cards")
        self.assertEqual(404, gone.exception.status)


if __name__ == "__main__":
    unittest.main()
