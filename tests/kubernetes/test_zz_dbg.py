import asyncio, time, logging
from k8s_cluster import PodPlan
from k8s_sandboxes import collect, make_spec, with_limits
from service.adapters.sandbox.kubernetes import watching
async def test_dbg(backend, kubelet, emulator):
    orig = watching.PodWatcher._dispatch
    t0 = time.monotonic()
    def spy(self, event, eid):
        print(round(time.monotonic()-t0,2), "dispatch", event.type, event.pod["metadata"].get("resourceVersion"), event.pod.get("kind"), (event.pod.get("status") or {}).get("phase"))
        return orig(self, event, eid)
    watching.PodWatcher._dispatch = spy
    try:
        spec = make_spec(backend, "import time; time.sleep(30)", limits=with_limits(timeout_seconds=0.5))
        kubelet.plans[spec.execution_id] = PodPlan(drop_env=("PODRUN_TIMEOUT_SECONDS",))
        handle = await backend.launch(spec)
        async for o in handle.observations():
            print(round(time.monotonic()-t0, 2), type(o).__name__)
        for h in emulator._history: print(h.version, h.resource, h.event["type"])
    finally:
        watching.PodWatcher._dispatch = orig
