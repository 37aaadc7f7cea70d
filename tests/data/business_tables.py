"""Tables of the kind the product's first users bring, made from real data in scikit-learn (no download):

- `churn.csv`: a cp932 customer table with Japanese column names and values, 15% of customers leaving;
- `sales.csv`: a shop table with money written `¥1,234` (the target too) and shares written `12%`;
- `excel_export.csv`: a European Excel export, `;` between fields and decimal commas, with a date column.

`make(folder)` writes them and returns their paths by name. Run this file to write them to tests/data/business/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def churn(path: Path) -> Path:
    """Breast-cancer measurements as customer usage: malignant cases thinned to 15% play the leaving customers."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    rng = np.random.default_rng(0)
    leaving = frame[frame["target"] == 0].sample(n=63, random_state=0)
    staying = frame[frame["target"] == 1]
    table = pd.concat([leaving, staying]).sample(frac=1, random_state=0)
    out = pd.DataFrame(
        {
            "利用月数": (table["mean radius"] * 3).round().astype(int),
            "月額料金": (table["mean area"] * 10).round(-1).astype(int),
            "問い合わせ回数": (table["worst concave points"] * 40).round().astype(int),
            "プラン": np.where(table["mean texture"] > 19, "プレミアム", "ベーシック"),
            "地域": rng.choice(["東京", "大阪", "名古屋", "福岡"], len(table)),
            "解約": np.where(table["target"] == 0, "はい", "いいえ"),
        }
    )
    out.to_csv(path, index=False, encoding="cp932")
    return path


def sales(path: Path) -> Path:
    """The diabetes progression as monthly sales in yen, written as a spreadsheet shows money and shares."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    out = pd.DataFrame(
        {
            "店舗面積": frame["bmi"].round(1),
            "客単価": [f"¥{v * 12:,.0f}" for v in frame["bp"]],
            "値引率": [f"{v / 20:.0f}%" for v in frame["s1"]],
            "来店数": frame["s5"].mul(100).round().astype(int),
            "立地": np.where(frame["sex"] == 1, "駅前", "郊外"),
            "売上": [f"¥{v * 1000:,.0f}" for v in frame["target"]],
        }
    )
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def excel_export(path: Path) -> Path:
    """Wine measurements as a European Excel export (';' and decimal commas), one order date per row."""
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    days = pd.Timestamp("2025-01-06") + pd.to_timedelta(np.random.default_rng(1).permutation(len(frame)) * 2, unit="D")
    out = frame[["alcohol", "malic_acid", "color_intensity", "proline", "flavanoids"]].assign(
        order_date=days.strftime("%d.%m.%Y"), cultivar=frame["target"].map({0: "Barolo", 1: "Grignolino", 2: "Barbera"})
    )
    out.to_csv(path, index=False, sep=";", decimal=",")
    return path


MAKERS = {"churn.csv": churn, "sales.csv": sales, "excel_export.csv": excel_export}


def make(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: maker(folder / name) for name, maker in MAKERS.items()}


if __name__ == "__main__":
    for written in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "business").values():
        print(written)
