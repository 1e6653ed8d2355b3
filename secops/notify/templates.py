"""The commented ``notifiers.yaml`` a new workspace starts with: every channel and its keys explained,
all commented out, so the file is valid and means "the local log only" until an entry is enabled."""

from __future__ import annotations

from pathlib import Path

from secops.fsutil import write_private_new
from secops.notify.load import FILE_NAME

NOTIFIERS_TEMPLATE = """\
# 通知渠道（notifiers.yaml）：事件时限提醒、等保日历提醒等通知从这里发出。
#
# 全部条目都被注释时，通知只写入本工作区的本地日志 incident-notices.log。
# 启用一个渠道：去掉该条目每行开头的一个 "#"（其后的缩进保持不变），填入自己的地址和密钥，
# 然后运行 `secops notify test` 发送一条测试消息，`secops notify list` 查看已配置的渠道。
# 每个条目可以有 name（名称），用于 `secops notify test 名称` 单独测试。
# 发送失败会重试 3 次（签名错误、密码错误等重试无用的情况除外），一个渠道失败不影响其他渠道。
# 本文件含密钥，请只让本机管理员可读（chmod 600）；SMTP 密码建议用 password_env 放在环境变量里。

# ---- 钉钉群自定义机器人 ----
# url：机器人的 Webhook 地址（含 access_token）。
# secret：安全设置选"加签"时显示的密钥（以 SEC 开头）；发送时按钉钉文档对 timestamp+"\\n"+secret
# 做 HMAC-SHA256 签名，自动附加 timestamp 和 sign 参数。不用加签时删除此行。
# keyword：安全设置选"自定义关键词"时填其中一个关键词；消息不含它时自动加在开头。
# msgtype：text（纯文本，默认）或 markdown。
# at_mobiles：要 @ 的手机号列表；at_all：true 时 @所有人。
#- type: dingtalk
#  name: 值班群
#  url: https://oapi.dingtalk.com/robot/send?access_token=在此填写
#  secret: SEC在此填写
#  keyword: 安全
#  msgtype: text
#  at_mobiles: [13800000000]
#  at_all: false

# ---- 企业微信群机器人 ----
# url：群机器人的 Webhook 地址（含 key）。
# msgtype：text（默认）或 markdown（markdown 消息不支持下面两种 @）。
# mentioned_mobile_list：要 @ 的手机号列表，"@all" 表示所有人。
# mentioned_list：要 @ 的企业微信成员 userid 列表。
#- type: wecom
#  name: 网络中心群
#  url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=在此填写
#  msgtype: text
#  mentioned_mobile_list: [13800000000]

# ---- 电子邮件（SMTP）----
# host：邮件服务器；port：端口（不填时按 security：none 为 25，starttls 为 587，ssl 为 465）。
# security：none（不加密）、starttls（先明文连接再升级为 TLS）或 ssl（全程 TLS，如 smtp.exmail.qq.com:465）。
# username：登录用户名（通常是邮箱地址）；登录只允许在 starttls 或 ssl 下进行。
# password：登录密码或授权码（很多邮箱要求用授权码而不是登录密码）。
# password_env：存放密码的环境变量名，代替 password，密码就不必写在本文件里（二者只填一个）。
# from：发件人地址；to：收件人地址，一个或一个列表。
# timeout：连接和收发的超时秒数（默认 10）。
# cafile：只在服务器使用内部 CA 签发的证书时填写该 CA 证书文件路径；默认使用系统证书。
# 邮件主题是消息的第一行，正文为 UTF-8（中文正常显示）。
#- type: smtp
#  name: 值班邮箱
#  host: smtp.example.edu.cn
#  security: ssl
#  port: 465
#  username: secops@example.edu.cn
#  password_env: SECOPS_SMTP_PASSWORD
#  from: secops@example.edu.cn
#  to: [duty@example.edu.cn, admin@example.edu.cn]
#  timeout: 10

# ---- 通用 Webhook ----
# url：接收 JSON 的地址（http:// 或 https://）；POST 的正文为 {"text": 消息, 以及事件的各字段}。
# headers：可选的请求头，例如对方要求的令牌。
#- type: webhook
#  name: 值班系统
#  url: https://duty.example.edu.cn/hook
#  headers:
#    X-Token: 在此填写

# ---- 本地日志 ----
# 每条通知作为一行 JSON 追加到工作区的 incident-notices.log。配置了其他渠道后，
# 如仍需本地留存，请同时启用此条目。
#- type: log
"""


def write_notifiers_template(workspace_dir: Path) -> bool:
    """Write the template into ``workspace_dir`` unless a ``notifiers.yaml`` is there already;
    True when written. Owner-only, since the school fills in robot keys and passwords."""
    return write_private_new(Path(workspace_dir) / FILE_NAME, NOTIFIERS_TEMPLATE.encode("utf-8"))
