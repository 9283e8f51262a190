"""Train the MRZ character classifier (sales/capture/mrz/glyphs.onnx) on the project's own OCR-B
renders; nothing else is used, no download. The recipe, reproducible from its seed:

    python3 -m venv /tmp/train && /tmp/train/bin/pip install torch onnx numpy pillow opencv-python-headless
    /tmp/train/bin/python scripts/mrz_glyphs_train.py [--bands 1500] [--epochs 4] [--seed 27]

Bands of two or three MRZ lines of random characters (TD3 44, TD2 36, TD1 30 per line) are drawn in
OCR-B (Debian's fonts-ocr-b) on paper of random tone and pattern, then spoiled the way real captures
are: stroke weight, a small turn, blur, reduction to 5–30 px characters and back, JPEG, noise,
uneven light. Each band is cut into cells by the reader's own code (glyphs.text_rows and
glyphs.cells), so the network learns exactly the cells it will see; a band the cutting does not
split into its lines is left out. PyTorch trains; the network is exported to ONNX (opset 13) and
checked against OpenCV's dnn, which runs it in the reader. About 10 minutes on 2 idle cores.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sales.capture.mrz import glyphs  # noqa: E402

OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
LAYOUTS = ((2, 44), (2, 36), (3, 30))


def random_line(rng: random.Random, length: int) -> str:
    chars = [rng.choice(glyphs.CLASSES) for _ in range(length)]
    if rng.random() < 0.5:  # a run of fillers, as names and empty fields leave
        start = rng.randrange(length // 3, length)
        chars[start:] = "<" * (length - start)
    return "".join(chars)


def render(rng: random.Random, lines: list[str]) -> Image.Image:
    size = rng.randrange(30, 46)
    font = ImageFont.truetype(OCRB, size)
    pitch = font.getlength("0")
    gap = size * rng.uniform(1.3, 1.65)
    width = int(pitch * len(lines[0]) + size * rng.uniform(1.0, 3.0))
    height = int(gap * len(lines) + size * rng.uniform(1.0, 2.5))
    paper = rng.randrange(150, 256)
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    for _ in range(rng.choice((0, 0, 10, 40))):  # guilloche-like pattern under the print
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(10, 80)
        shade = max(0, paper - rng.randrange(20, 90))
        draw.arc((x - r, y - r // 2, x + r, y + r // 2), rng.randrange(360), rng.randrange(360), fill=shade, width=1)
    ink = rng.randrange(0, 90)
    left, top = (width - pitch * len(lines[0])) / 2, (height - gap * len(lines)) / 2 + (gap - size) / 2
    for i, line in enumerate(lines):
        draw.text((left + rng.uniform(-2, 2), top + i * gap), line, fill=ink, font=font)
    weight = rng.random()
    if weight < 0.2:
        page = page.filter(ImageFilter.MinFilter(3))  # bold
    elif weight < 0.35:
        page = page.filter(ImageFilter.MaxFilter(3))  # thin
    return page.rotate(rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=paper)


def spoil(rng: random.Random, page: Image.Image, size: int) -> np.ndarray:
    if rng.random() < 0.6:
        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 2.0)))
    char = rng.uniform(5, 30)  # character height in the captured image
    factor = char / size
    small = page.resize((max(8, round(page.width * factor)), max(8, round(page.height * factor))), Image.Resampling.BOX)
    if rng.random() < 0.5:
        out = io.BytesIO()
        small.save(out, "JPEG", quality=rng.randrange(25, 95))
        small = Image.open(io.BytesIO(out.getvalue())).convert("L")
    array = np.asarray(small, dtype=np.float32)
    if rng.random() < 0.5:  # uneven light
        ramp = np.linspace(rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0), array.shape[1])[None, :]
        array = array * ramp
    array = array + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(0, 10), array.shape)
    target = rng.uniform(24, 40)  # the reader cuts bands to about this character height
    back = cv2.resize(np.clip(array, 0, 255).astype(np.uint8), None, fx=target / char, fy=target / char)
    return back


def samples(rng: random.Random, bands: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    made = 0
    while made < bands:
        count, length = rng.choice(LAYOUTS)
        lines = [random_line(rng, length) for _ in range(count)]
        page = render(rng, lines)
        crop = spoil(rng, page, 38)
        ink = glyphs.flatten(crop)
        rows = glyphs.text_rows(ink)
        if len(rows) != count:
            continue
        for row, line in zip(rows, lines, strict=True):
            stack, _pitch = glyphs.cells(ink, row, length)
            xs.append(glyphs.normalised(stack))
            ys.extend(glyphs.CLASSES.index(c) for c in line)
        made += 1
        if made % 500 == 0:
            print(f"{made} bands", flush=True)
    return np.concatenate(xs)[:, None], np.array(ys, dtype=np.int64)


def network():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(12, 24, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(24, 48, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(48 * 4 * 3, 96),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(96, len(glyphs.CLASSES)),
    )


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    model = network()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, 3e-3, total_steps=epochs * (len(x) // 256 + 1))
    data, labels = torch.from_numpy(x), torch.from_numpy(y)
    held = len(x) // 20
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x) - held) + held
        for i in range(0, len(order), 256):
            batch = order[i : i + 256]
            loss = torch.nn.functional.cross_entropy(model(data[batch]), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(data[:held]).argmax(1) == labels[:held]).float().mean().item()
        print(f"epoch {epoch + 1}: held-out cells {accuracy:.4f}", flush=True)
    return model


def export(model, path: Path, x: np.ndarray) -> None:
    import torch

    model.eval()
    sample = torch.from_numpy(x[:8])
    torch.onnx.export(
        model,
        sample,
        str(path),
        input_names=["cells"],
        output_names=["logits"],
        opset_version=13,
        dynamo=False,
        dynamic_axes={"cells": {0: "n"}, "logits": {0: "n"}},
    )
    net = cv2.dnn.readNetFromONNX(str(path))
    net.setInput(x[:64])
    with torch.no_grad():
        expected = model(torch.from_numpy(x[:64])).numpy()
    assert np.allclose(net.forward(), expected, atol=1e-3), "OpenCV's dnn disagrees with PyTorch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bands", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--out", type=Path, default=glyphs.MODEL)
    parser.add_argument("--cache", type=Path, help="where the rendered cells are kept between runs")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    np.random.seed(args.seed)
    cache = args.cache or Path(f"/tmp/mrz-glyphs-{args.bands}-{args.seed}.npz")
    if cache.exists():
        stored = np.load(cache)
        x, y = stored["x"], stored["y"]
    else:
        x, y = samples(rng, args.bands)
        np.savez(cache, x=x.astype(np.float16), y=y)
    x = x.astype(np.float32)
    print(f"{len(x)} cells from {args.bands} bands", flush=True)
    model = train(x, y, args.epochs, args.seed)
    export(model, args.out, x)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
