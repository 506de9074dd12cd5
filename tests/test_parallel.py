"""parallel_map: input order, n_jobs independence, and the caller's joblib configuration."""

import os
import threading

import joblib
import pytest

from hogdet.parallel import effective_jobs, parallel_map


def square_batch(batch, offset):
    return [item * item + offset for item in batch]


def where_batch(batch):
    """Which process and thread ran each item."""
    return [(item, os.getpid(), threading.current_thread().name) for item in batch]


def test_results_come_back_in_input_order_with_two_workers():
    items = list(range(57))[::-1]
    results = parallel_map(square_batch, items, 3, n_jobs=2, batch_size=4)
    assert results == [item * item + 3 for item in items]


def test_one_worker_and_two_workers_give_the_same_results():
    items = list(range(40))
    assert parallel_map(square_batch, items, 1, n_jobs=1) == parallel_map(square_batch, items, 1, n_jobs=2)


def test_no_n_jobs_outside_any_configuration_runs_here():
    ran = parallel_map(where_batch, range(6))
    assert {(pid, thread) for _, pid, thread in ran} == {(os.getpid(), threading.current_thread().name)}
    assert effective_jobs(None) == 1


def test_a_callers_parallel_config_backend_and_n_jobs_are_respected():
    items = list(range(32))
    with joblib.parallel_config(backend="threading", n_jobs=2):
        assert effective_jobs(None) == 2
        ran = parallel_map(where_batch, items, batch_size=1)
    assert [item for item, _, _ in ran] == items
    # Threads of this process, not loky processes, and not this thread alone.
    assert {pid for _, pid, _ in ran} == {os.getpid()}
    assert any(thread != threading.current_thread().name for _, _, thread in ran)


def test_default_parallel_backend_uses_other_processes():
    ran = parallel_map(where_batch, list(range(8)), n_jobs=2, batch_size=1)
    assert os.getpid() not in {pid for _, pid, _ in ran}


def test_an_explicit_backend_overrides_the_configuration():
    with joblib.parallel_config(backend="threading", n_jobs=2):
        ran = parallel_map(where_batch, list(range(8)), n_jobs=2, backend="loky", batch_size=1)
    assert os.getpid() not in {pid for _, pid, _ in ran}


def test_zero_jobs_is_refused():
    with pytest.raises(ValueError, match="n_jobs"):
        parallel_map(square_batch, [1, 2], 0, n_jobs=0)
