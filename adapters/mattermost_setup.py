"""``atelier-bot mattermost-setup``: register the `/atelier` slash command for the bot's team.

Through the API with the bot's own account (``POST /api/v4/commands``, or ``PUT
/api/v4/commands/{id}`` when the trigger is already registered on the team: the token stays
the same). That takes ``manage_slash_commands`` on the team (team or system admins under the
default roles) and ``ServiceSettings.EnableCommands``; without them, the administrator's steps
are printed instead. Either way it says what to put in ``[mattermost] command_token``.
"""

from collections.abc import Callable
from typing import Any

import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import FeatureDisabled, NotEnoughPermissions

from adapters.mattermost_actions import COMMAND_PATH
from adapters.mattermost_socket import driver_options
from bot.config import MattermostSection

__all__ = ["admin_steps", "register"]

Say = Callable[[str], None]


def _team(driver: Any, wanted: str | None) -> dict[str, Any]:
    teams = list(driver.teams.get_user_teams("me"))
    if wanted:
        for team in teams:
            if wanted in (team.get("name"), team.get("id"), team.get("display_name")):
                return dict(team)
        raise LookupError(f"[mattermost] team: the bot is not on a team {wanted!r}")
    if len(teams) != 1:
        raise LookupError("[mattermost] team: the bot is on several teams; name one")
    return dict(teams[0])


def command_url(settings: MattermostSection) -> str:
    return (settings.public_url or "").rstrip("/") + COMMAND_PATH


def _body(settings: MattermostSection, team_id: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "trigger": settings.command_trigger,
        "method": "P",
        "url": command_url(settings),
        "display_name": "Atelier",
        "description": "Ateliers d'entraide : !atelier … sans rien écrire dans le salon",
        "auto_complete": True,
        "auto_complete_desc": "Les commandes de l'atelier (aide, rejoindre, suivant…)",
        "auto_complete_hint": "[aide | rejoindre | suivant | …]",
    }


def register(settings: MattermostSection, say: Say = print) -> int:
    """Create or update the command; 0 when done, 1 when an administrator must do it."""
    if not settings.public_url:
        say("[mattermost] public_url and listen are needed: Mattermost calls the bot there.")
        return 2
    driver = Driver(driver_options(settings))
    driver.login()
    try:
        team = _team(driver, settings.team)
    except LookupError as error:
        say(str(error))
        return 2
    body = _body(settings, str(team["id"]))
    try:
        existing = driver.commands.list_commands_for_team(
            {"team_id": team["id"], "custom_only": "true"}
        )
        same = [c for c in existing if c.get("trigger") == settings.command_trigger]
        if same:  # mattermostdriver's update_command forgets the "/" before the id
            command = driver.client.put(f"/commands/{same[0]['id']}", options={**same[0], **body})
            done = "updated"
        else:
            command = driver.commands.create_command(body)
            done = "registered"
    except (NotEnoughPermissions, FeatureDisabled, requests.HTTPError) as error:
        say(f"The bot's account may not register slash commands ({type(error).__name__}).")
        admin_steps(settings, str(team.get("name", "")), say)
        return 1
    say(f"/{settings.command_trigger} {done} on team {team.get('name')} → {body['url']}")
    say("Put its token in the configuration (or ATELIER_MATTERMOST_COMMAND_TOKEN):")
    say(f'  command_token = "{command["token"]}"')
    return 0


def admin_steps(settings: MattermostSection, team: str, say: Say = print) -> None:
    """What a Mattermost administrator does by hand, in the order they meet it."""
    for line in (
        "Ask a Mattermost system administrator to:",
        "  1. System Console › Environment › Web Server: set Site URL (ServiceSettings.SiteURL).",
        "  2. System Console › Integrations › Integration Management: enable custom slash "
        "commands (ServiceSettings.EnableCommands).",
        "  3. If the bot's address is private (10.x, 192.168.x, localhost…): System Console › "
        "Environment › Developer › Allow untrusted internal connections to: add its host "
        "(ServiceSettings.AllowedUntrustedInternalConnections).",
        f"  4. In team {team or '…'}: Integrations › Slash Commands › Add: trigger "
        f"'{settings.command_trigger}', request URL {command_url(settings)}, method POST, "
        "autocomplete on.",
        "  5. Copy the token it shows into [mattermost] command_token "
        "(or ATELIER_MATTERMOST_COMMAND_TOKEN), and restart the bot.",
        "Or make the bot's account a team admin and run this command again.",
    ):
        say(line)
