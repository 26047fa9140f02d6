"""ModelManager with stand-in models: lazy load, verification, idle unload, budget, events."""

from __future__ import annotations

import gc
import hashlib
import threading
import time
import weakref
from pathlib import Path

import pytest

from engine.models import ModelFile, ModelManager, ModelSpec, ModelUnavailable


class FakeModel:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log, self.closed = name, log, False
        self.buffer = bytearray(8 << 20)  # something for the RSS accounting to see

    def infer(self) -> str:
        assert not self.closed, "inference on an unloaded model"
        return self.name

    def close(self) -> None:
        self.closed = True
        self.log.append(f"close {self.name}")


def _spec(root: Path, name: str, log: list[str], tier: int = 1, content: bytes = b"weights") -> ModelSpec:
    path = root / f"{name}.bin"
    path.write_bytes(content)
    f = ModelFile(path.name, hashlib.sha256(content).hexdigest(), len(content))

    def loader(r: Path) -> FakeModel:
        assert r == root
        log.append(f"load {name}")
        return FakeModel(name, log)

    return ModelSpec(name, tier, (f,), loader)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def log() -> list[str]:
    return []


def test_lazy_load_then_reuse(tmp_path, log):
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=None)
    assert mm.snapshot().model("a").state == "unloaded" and log == []
    with mm.use("a") as m:
        assert m.infer() == "a"
        assert mm.snapshot().model("a").in_use == 1
    with mm.use("a") as m:
        m.infer()
    assert log == ["load a"]
    info = mm.snapshot().model("a")
    assert info.state == "loaded" and info.loads == 1 and info.load_ms is not None and info.in_use == 0
    # RSS is measured around the load (it can move either way under other threads, so only its presence is asserted)
    assert info.rss_before_load_mib > 0 and info.rss_after_load_mib > 0 and info.added_mib is not None


def test_corrupt_file_is_a_clear_error_naming_the_file(tmp_path, log):
    spec = _spec(tmp_path, "a", log)
    (tmp_path / "a.bin").write_bytes(b"weightz")  # same size, other content
    mm = ModelManager([spec], root=tmp_path)
    with pytest.raises(ModelUnavailable, match=r"a\.bin: sha256"), mm.use("a"):
        pass
    assert log == []  # never loaded
    info = mm.snapshot().model("a")
    assert info.state == "error" and "a.bin" in info.error
    assert not mm.is_available("a")


def test_missing_file(tmp_path, log):
    spec = _spec(tmp_path, "a", log)
    (tmp_path / "a.bin").unlink()
    mm = ModelManager([spec], root=tmp_path)
    with pytest.raises(ModelUnavailable, match="missing"), mm.use("a"):
        pass


def test_loader_failure_is_reported(tmp_path):
    spec = _spec(tmp_path, "a", [])

    def broken(root):
        raise OSError("cannot map file")

    mm = ModelManager([ModelSpec("a", 1, spec.files, broken)], root=tmp_path)
    events = []
    mm.subscribe(events.append)
    with pytest.raises(ModelUnavailable, match="cannot map file"), mm.use("a"):
        pass
    assert [e.kind for e in events] == ["loading", "error"]


def test_idle_unload_after_timeout(tmp_path, log):
    clock = Clock()
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=60, clock=clock)
    with mm.use("a"):
        pass
    clock.now += 30
    assert mm.unload_idle() == []
    assert mm.snapshot().model("a").unload_in_s == pytest.approx(30)
    clock.now += 31
    assert mm.unload_idle() == ["a"]
    info = mm.snapshot().model("a")
    assert info.state == "unloaded" and info.rss_after_unload_mib is not None
    assert log == ["load a", "close a"]
    with mm.use("a") as m:  # loads again on the next need
        assert m.infer() == "a"
    assert mm.snapshot().model("a").loads == 2


def test_never_unloaded_while_in_use(tmp_path, log):
    clock = Clock()
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=1, clock=clock)
    with mm.use("a") as m:
        clock.now += 100
        assert mm.unload_idle() == []  # busy: the idle reaper leaves it
        assert mm.unload("a", wait=False) is False
        done = threading.Event()

        def unload():
            mm.unload("a")
            done.set()

        t = threading.Thread(target=unload)
        t.start()
        time.sleep(0.1)
        assert not done.is_set()  # waits for the inference
        assert m.infer() == "a"
    t.join(5)
    assert done.is_set() and mm.snapshot().model("a").state == "unloaded"


def test_budget_evicts_least_recently_used(tmp_path, log):
    clock = Clock()
    specs = [_spec(tmp_path, n, log) for n in ("a", "b", "c")]
    mm = ModelManager(specs, root=tmp_path, idle_timeout_s=None, clock=clock)
    for n in ("a", "b"):
        with mm.use(n):
            clock.now += 1
    mm.set_budget(1.0)  # far below any real RSS: every idle model must make room
    with mm.use("c"):
        pass
    states = {m.name: m.state for m in mm.snapshot().models}
    assert states == {"a": "unloaded", "b": "unloaded", "c": "loaded"}
    assert log.index("close a") < log.index("close b")  # oldest first


def test_events_follow_state_changes(tmp_path, log):
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=None)
    events = []
    unsubscribe = mm.subscribe(events.append)
    with mm.use("a"):
        pass
    mm.unload("a", reason="user")
    assert [(e.kind, e.model) for e in events] == [("loading", "a"), ("loaded", "a"), ("unloaded", "a")]
    assert events[-1].reason == "user"
    unsubscribe()
    with mm.use("a"):
        pass
    assert len(events) == 3


def test_background_reaper_unloads(tmp_path, log):
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=0.05, reaper_interval_s=0.02)
    with mm.use("a"):
        pass
    deadline = time.monotonic() + 5
    while mm.snapshot().model("a").state == "loaded" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mm.snapshot().model("a").state == "unloaded"
    mm.close()


def test_a_manager_nobody_holds_is_freed_with_its_models_while_its_reaper_waits(tmp_path, log):
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=60, reaper_interval_s=0.02)
    with mm.use("a"):
        pass
    reaper, ref = mm._reaper, weakref.ref(mm)
    assert reaper is not None and reaper.is_alive()  # watching a loaded model that is not idle yet
    del mm
    gc.collect()
    assert ref() is None  # the reaper thread does not keep a dropped manager (and its loaded model) alive
    reaper.join(timeout=5)
    assert not reaper.is_alive()  # and it ends once its manager is gone


def test_many_threads_use_while_another_unloads(tmp_path, log):
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=None)
    errors: list[BaseException] = []
    stop = threading.Event()

    def user():
        try:
            for _ in range(200):
                with mm.use("a") as m:
                    m.infer()  # asserts the model was not closed under us
        except BaseException as exc:
            errors.append(exc)

    def unloader():
        while not stop.is_set():
            mm.unload("a")
            time.sleep(0.001)

    users = [threading.Thread(target=user) for _ in range(4)]
    u = threading.Thread(target=unloader)
    u.start()
    for t in users:
        t.start()
    for t in users:
        t.join()
    stop.set()
    u.join()
    assert not errors
    assert mm.snapshot().model("a").loads >= 1


def test_unknown_model_name(tmp_path):
    mm = ModelManager([], root=tmp_path)
    with pytest.raises(KeyError, match="unknown model"), mm.use("nope"):
        pass


def test_an_unload_is_not_starved_by_continuous_inferences(tmp_path):
    """Three threads hold the model in turns without a gap; unload(wait=True) still gets its turn at once."""
    import threading
    import time

    log: list[str] = []
    mm = ModelManager([_spec(tmp_path, "a", log)], root=tmp_path, idle_timeout_s=None)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            with mm.use("a"):
                time.sleep(0.003)

    threads = [threading.Thread(target=busy, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    done: list[bool] = []
    unloader = threading.Thread(target=lambda: done.append(mm.unload("a", wait=True)), daemon=True)
    try:
        unloader.start()
        unloader.join(2.0)  # starved, it would wait for as long as the others keep scanning
        assert done == [True] and "close a" in log
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        unloader.join(5)
    assert mm.snapshot().model("a").loads >= 2  # the busy threads loaded it again afterwards
