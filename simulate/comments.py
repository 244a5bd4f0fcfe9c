"""The homeroom teacher's comment of the year (Nhận xét của giáo viên chủ nhiệm), synthesised.

Real comments are short sentences on study and conduct, chosen by the teacher from habits that
vary with the year's results; ours come from a handful of templates picked by the academic and
conduct result and a per-record draw. They carry no personal data.
"""

from __future__ import annotations

import numpy as np

# On study, by academic level (index = level: CD, D, K, T).
STUDY = (
    (
        "Tiếp thu bài còn chậm, cần cố gắng nhiều hơn để đạt yêu cầu ở các môn học.",
        "Chưa chú ý nghe giảng, cần dành thêm thời gian ôn tập và hoàn thành bài tập.",
    ),
    (
        "Có cố gắng trong học tập, cần chăm chỉ hơn ở các môn còn yếu.",
        "Học lực đạt yêu cầu, cần mạnh dạn phát biểu xây dựng bài.",
    ),
    (
        "Chăm chỉ, có ý thức tự giác trong học tập, tiến bộ rõ so với đầu năm.",
        "Học tập khá đều các môn, cần phát huy hơn nữa để đạt kết quả tốt.",
    ),
    (
        "Ngoan, chăm chỉ, có ý thức tự giác trong học tập.",
        "Học tập tốt, tích cực phát biểu xây dựng bài, là tấm gương cho các bạn trong lớp.",
    ),
)
# On conduct, by conduct level.
CONDUCT = (
    "Cần nghiêm túc chấp hành nội quy nhà trường.",
    "Cần rèn luyện thêm tính kỷ luật và tinh thần tập thể.",
    "Lễ phép, hòa đồng với bạn bè.",
    "Lễ phép với thầy cô, đoàn kết, giúp đỡ bạn bè, tích cực tham gia hoạt động của lớp.",
)


def year_comments(academic: np.ndarray, conduct: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """One comment per record from integer levels (0 = CD … 3 = T) and a uniform draw in [0, 1)."""
    academic = np.clip(np.asarray(academic, dtype=np.int64), 0, 3)
    conduct = np.clip(np.asarray(conduct, dtype=np.int64), 0, 3)
    variant = (np.asarray(draw) * 2).astype(np.int64) % 2
    study = np.array([s for pair in STUDY for s in pair], dtype=object)
    conduct_text = np.asarray(CONDUCT, dtype=object)
    return study[academic * 2 + variant] + " " + conduct_text[conduct]
