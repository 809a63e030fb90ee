"""The one loop both training presets share (training/loop.py): fit -> rank-0 evaluate -> save -> barrier."""


def test_every_train_shares_fit_evaluate_save():
    from diffusion_core.training import edm, loop, scale_space

    done = []
    side = loop.fit_evaluate_save(
        lambda: done.append("fit") or ("net", {"steps": 3}),
        lambda net: done.append(f"evaluate {net}") or {"mse": 0.5},
        lambda net, run, q: done.append("save") or {**run, **q},
    )
    assert done == ["fit", "evaluate net", "save"] and side["steps"] == 3 and side["mse"] == 0.5
    assert isinstance(side["eval_time"], float)  # timed on rank 0, into the run record
    assert scale_space.fit_evaluate_save is edm.fit_evaluate_save is loop.fit_evaluate_save
    assert scale_space.fit is edm.fit is loop.fit  # one loop: fit(run, net, objective)
