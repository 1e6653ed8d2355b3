"""The commented ``center.yaml`` a new center home starts with: every setting, its default and what
it means, all commented out, so the file is valid and means "the defaults" until a line is enabled."""

from __future__ import annotations

from pathlib import Path

from secops.center.settings import SETTINGS_FILE
from secops.fsutil import write_private_new

CENTER_TEMPLATE = """\
# 监测中心设置（center.yaml）。所有行都被注释时使用下面写出的默认值，适合小规模的省、市或县中心。
# 修改某项：去掉该项及其所属段落标题行开头的一个 "#"（其后的缩进保持不变），再改值；
# 改动在下次 `secops center serve` 启动时生效。写错时启动会指出文件和行号。

# ---- 请求限制 ----
#limits:
#  max_body_bytes: 5242880        # 单个请求正文的最大字节数，超过则拒绝（413）
#  max_batch: 5000                # 每个请求最多携带的告警条数
#  rate_per_minute: 600           # 每所学校每分钟最多的签名请求数，超过则返回 429
#  header_timeout_seconds: 10.0   # 客户端须在此秒数内发完请求行和请求头
#  body_timeout_seconds: 30.0     # ……并在此秒数内发完正文（否则 408 并断开连接）
#  max_connections: 1000          # 同时打开的连接数上限，超过的请求返回 503

# ---- 反向代理 ----
# 中心前面的反向代理（Nginx 等）的地址或网段（CIDR）。只有直接来自这些地址的请求，
# 其 X-Forwarded-For / Forwarded / X-Real-IP 才被采信；为空时一律不采信（本机也不例外）。
#trusted_proxies: []
# 例如 trusted_proxies: [10.0.0.5, 192.168.10.0/24]

# ---- 监控指标 ----
# GET /metrics（Prometheus 格式）默认只回答本机直连的请求；设置此令牌（至少 16 个字符）后，
# 带 "Authorization: Bearer <令牌>" 的请求也可读取。
#metrics_token: null

# ---- 自动建立事件 ----
#auto_incidents:
#  enabled: true                  # 是否根据学校上报的告警自动建立事件（案件）
#  min_severity: high             # 达到此严重程度（low、medium、high、critical）的告警按对应预案建立事件
#  cases_window_hours: 24         # 同一学校、资产和类型在此小时数内已有活动事件时，告警并入该事件
#  max_new_cases_per_school_hour: 20  # 每校每小时新建事件上限，超出后的告警并入一个"告警激增"事件

# ---- 失联学校 ----
#silent_after_hours: 24           # 学校超过此小时数没有任何上报（告警、心跳、零报告）即列为失联

# ---- 状态数据库 ----
# 中心自身状态（学校与密钥、值班账号、事件、通报、重要时期等）所在的数据库。默认是本目录下的 center.db（SQLite）。
# 省级中心运行多个实例时，让它们共用一个 PostgreSQL 数据库（防重放、限流、登录节流和后台任务随之在实例间共享）。
# 命令行的 --db 或环境变量 SECOPS_CENTER_DB 优先于此项。密码建议放在 ~/.pgpass，不写进本文件。
#database:                       # 空：本目录下的 center.db
# 例如 database: postgresql+psycopg://secops@db.example/center
"""


def write_center_template(home: Path) -> bool:
    """Write the template into ``home`` unless a ``center.yaml`` is there already; True when written."""
    return write_private_new(Path(home) / SETTINGS_FILE, CENTER_TEMPLATE.encode("utf-8"))
